import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Testing

/// Argument vectors all the way to the typed command `CommandTable` dispatches: every option
/// lands in its field, and a bad command line is a usage error before any command runs.
@Suite struct CommandOptionsTests {
    private struct NotARun: Error {}

    /// The command `arguments` ask for, as `Devctl.main` builds it.
    private func command(_ arguments: [String]) throws -> any Command {
        guard case .run(let invocation) = try ArgumentParser.parse(arguments) else { throw NotARun() }
        return try CommandTable.command(for: invocation)
    }

    private func parse<C: Command>(_ arguments: [String], as type: C.Type) throws -> C {
        let parsed = try command(arguments)
        return try #require(parsed as? C, "\(arguments) made a \(Swift.type(of: parsed))")
    }

    private func usageError(_ arguments: [String]) -> UsageError? {
        do {
            _ = try command(arguments)
            Issue.record("\(arguments) parsed")
            return nil
        } catch let error as UsageError {
            return error
        } catch {
            Issue.record("\(arguments) threw \(error)")
            return nil
        }
    }

    @Test func startReadsNamesAndEveryFlag() throws {
        #expect(try parse(["start"], as: StartCommand.self) == StartCommand())
        #expect(try parse(["start", "api", "db", "--no-wait", "--no-containers", "-q"], as: StartCommand.self)
            == StartCommand(names: ["api", "db"], wait: false, containers: false, quiet: true))
    }

    @Test func stopReadsNamesAndEveryOption() throws {
        #expect(try parse(["stop"], as: StopCommand.self) == StopCommand())
        #expect(try parse(["stop", "api", "--force", "--containers", "--timeout", "2.5", "--json", "--quiet"],
                          as: StopCommand.self)
            == StopCommand(names: ["api"], force: true, containersOnly: true, timeout: 2.5, json: true, quiet: true))
        #expect(try parse(["stop", "--timeout=0"], as: StopCommand.self).timeout == 0)
    }

    @Test func statusRestartUpReadTheirOptions() throws {
        #expect(try parse(["status", "api", "--json"], as: StatusCommand.self) == StatusCommand(names: ["api"], json: true))
        #expect(try parse(["status"], as: StatusCommand.self) == StatusCommand())
        #expect(try parse(["restart", "-q", "api"], as: RestartCommand.self) == RestartCommand(names: ["api"], quiet: true))
        #expect(try parse(["up", "--exit-on-failure"], as: UpCommand.self) == UpCommand(exitOnFailure: true))
        #expect(try parse(["up", "web"], as: UpCommand.self) == UpCommand(names: ["web"]))
    }

    @Test func logsCountsLinesAsANumberWithADefault() throws {
        #expect(try parse(["logs"], as: LogsCommand.self) == LogsCommand(lines: 20))
        #expect(try parse(["logs", "api", "-f", "-n", "5"], as: LogsCommand.self)
            == LogsCommand(names: ["api"], follow: true, lines: 5))
        #expect(try parse(["-f", "x.json", "logs", "--lines=0"], as: LogsCommand.self).lines == 0)
        #expect(try parse(["logs", "-t", "-n", "3"], as: LogsCommand.self) == LogsCommand(lines: 3, timestamps: true))
        #expect(try parse(["logs", "--timestamps", "-f"], as: LogsCommand.self) == LogsCommand(follow: true, timestamps: true))
    }

    @Test func pauseAndResumeAreOneCommandWithTwoActions() throws {
        #expect(try parse(["pause", "api"], as: PauseCommand.self) == PauseCommand(.pause, names: ["api"]))
        #expect(try parse(["resume", "api", "db"], as: PauseCommand.self) == PauseCommand(.resume, names: ["api", "db"]))
    }

    @Test func initReadsAnOptionalProcfile() throws {
        #expect(try parse(["init"], as: InitCommand.self) == InitCommand())
        #expect(try parse(["init", "--from-procfile"], as: InitCommand.self) == InitCommand(procfile: "Procfile"))
        #expect(try parse(["init", "--from-procfile", "Procfile.dev", "--force"], as: InitCommand.self)
            == InitCommand(procfile: "Procfile.dev", force: true))
    }

    @Test func completionReadsItsShell() throws {
        #expect(try parse(["completion", "fish"], as: CompletionCommand.self) == CompletionCommand(shell: "fish"))
    }

    @Test func onlyQuietAndJSONLeaveProgressOut() throws {
        #expect(try command(["stop", "--json"]).quietsProgress)
        #expect(try command(["stop", "-q"]).quietsProgress)
        #expect(try command(["status", "--json"]).quietsProgress)
        #expect(try command(["start", "--quiet"]).quietsProgress)
        #expect(try command(["restart", "-q"]).quietsProgress)
        for arguments in [["stop", "--force"], ["start"], ["status"], ["up"], ["logs", "-f"], ["pause", "api"]] {
            #expect(try !command(arguments).quietsProgress, "\(arguments)")
        }
    }

    @Test func badCommandLinesAreUsageErrors() {
        #expect(usageError(["stop", "--timeout", "soon"])
            == UsageError("invalid value 'soon' for '--timeout': expected a number of seconds from 0 to 3600", command: "stop"))
        #expect(usageError(["logs", "-n", "-3"])?.message == "invalid value '-3' for '-n': expected a non-negative whole number")
        #expect(usageError(["pause"]) == UsageError("'pause' needs at least 1 service name", command: "pause"))
        #expect(usageError(["completion"])?.message == "'completion' needs a shell: one of bash, zsh, fish")
        #expect(usageError(["restart", "--force"])?.message == "unknown option '--force'")
        #expect(usageError(["status", "--jsn"])?.message == "unknown option '--jsn'; did you mean '--json'?")
    }

    /// The typed readers do not trust that the parser ran: a value that does not convert is still
    /// a usage error, never a crash or a silent default.
    @Test func typedReadersRefuseWhatTheParserWouldHave() {
        #expect(throws: UsageError("invalid value 'soon' for '--timeout'", command: "stop")) {
            try StopCommand(Invocation(command: "stop", values: ["timeout": "soon"]))
        }
        #expect(throws: UsageError("invalid value '2.5' for '--lines'", command: "logs")) {
            try LogsCommand(Invocation(command: "logs", values: ["lines": "2.5"]))
        }
        #expect(throws: UsageError.self) { try PauseCommand(Invocation(command: "start", names: ["api"])) }
        #expect(throws: UsageError.self) { try CompletionCommand(Invocation(command: "completion")) }
    }

    /// Every command but `help` (which the parser answers) has a type to run, and every option the
    /// table declares for it lands in one of that type's fields: an option read under a misspelt
    /// name would leave the command unchanged.
    @Test(arguments: CommandTable.all.map(\.name))
    func everyDeclaredOptionChangesTheCommand(name: String) throws {
        let spec = try #require(CommandTable.command(named: name))
        guard spec.name != "help" else {
            #expect(spec.command == nil)
            return
        }
        #expect(spec.command != nil)
        let positionals = spec.choices.map { [$0[0]] } ?? Array(repeating: "api", count: spec.minimumNames)
        let plain = String(describing: try command([name] + positionals))
        for option in spec.options where option.long != CommandTable.helpOption.long {
            let value: [String] = switch option.valueKind {
            case _ where option.valueName == nil: []
            case .seconds, .count: ["7"]
            case .path: ["Other.file"]
            }
            let given = try command([name] + positionals + ["--\(option.long)"] + value)
            #expect(String(describing: given) != plain, "'\(name) --\(option.long)' left \(plain) unchanged")
        }
    }
}
