import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Testing

@Suite struct ArgumentParserTests {
    private func run(_ arguments: [String]) throws -> Invocation {
        guard case .run(let invocation) = try ArgumentParser.parse(arguments) else {
            Issue.record("\(arguments) did not parse as a command to run")
            return Invocation(command: "")
        }
        return invocation
    }

    private func usageError(_ arguments: [String]) -> UsageError? {
        #expect(throws: UsageError.self) { try ArgumentParser.parse(arguments) }
        do {
            _ = try ArgumentParser.parse(arguments)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        (["start", "api", "--no-wait", "--no-containers", "-q"],
         Invocation(command: "start", names: ["api"], flags: ["no-wait", "no-containers", "quiet"])),
        (["stop", "--force", "--containers", "--timeout", "2.5", "--json", "--quiet"],
         Invocation(command: "stop", flags: ["force", "containers", "json", "quiet"], values: ["timeout": "2.5"])),
        (["status", "api", "worker", "--json"], Invocation(command: "status", names: ["api", "worker"], flags: ["json"])),
        (["restart", "--quiet", "api"], Invocation(command: "restart", names: ["api"], flags: ["quiet"])),
        (["logs", "api", "-f", "-n", "5"], Invocation(command: "logs", names: ["api"], flags: ["follow"], values: ["lines": "5"])),
        (["logs", "--follow", "--lines=0"], Invocation(command: "logs", flags: ["follow"], values: ["lines": "0"])),
        (["pause", "api"], Invocation(command: "pause", names: ["api"])),
        (["resume", "api", "db"], Invocation(command: "resume", names: ["api", "db"])),
        (["up", "--exit-on-failure"], Invocation(command: "up", flags: ["exit-on-failure"])),
        (["init", "--force"], Invocation(command: "init", flags: ["force"])),
        (["completion", "zsh"], Invocation(command: "completion", names: ["zsh"])),
    ])
    func everyCommandParses(arguments: [String], expected: Invocation) throws {
        #expect(try ArgumentParser.parse(arguments) == .run(expected))
    }

    @Test func globalOptionsGoBeforeTheCommand() throws {
        #expect(try run(["-f", "other/services.json", "--no-color", "status"])
            == Invocation(file: "other/services.json", noColor: true, command: "status"))
        #expect(try run(["--file=x.json", "stop", "api"]) == Invocation(file: "x.json", command: "stop", names: ["api"]))
        #expect(usageError(["-f"])?.message == "option '-f' needs a value")
    }

    @Test func globalOptionsMayAlsoFollowTheCommand() throws {
        #expect(try run(["status", "--no-color"]) == Invocation(noColor: true, command: "status"))
        #expect(try run(["stop", "api", "-f", "x.json", "--force"])
            == Invocation(file: "x.json", command: "stop", names: ["api"], flags: ["force"]))
        #expect(try run(["logs", "--file=x.json", "-f"]) == Invocation(file: "x.json", command: "logs", flags: ["follow"]))
        #expect(try run(["stop", "--", "--no-color"]) == Invocation(command: "stop", names: ["--no-color"]))
        #expect(usageError(["status", "--file"])?.message == "option '--file' needs a value")
        #expect(usageError(["stop", "--version"])?.message == "option '--version' goes before the command, as in 'devctl --version'")
    }

    @Test func logsDashFMeansFollowNotFile() throws {
        #expect(try run(["-f", "a.json", "logs", "-f"]) == Invocation(file: "a.json", command: "logs", flags: ["follow"]))
    }

    @Test func timeoutTakesItsValueWithEqualsOrAsTheNextArgument() throws {
        #expect(try run(["stop", "--timeout=2"]).values == ["timeout": "2"])
        #expect(try run(["stop", "--timeout", "2", "api"]) == Invocation(command: "stop", names: ["api"], values: ["timeout": "2"]))
    }

    @Test func numericValuesAreValidated() throws {
        #expect(usageError(["stop", "--timeout", "-1"])?.message
            == "invalid value '-1' for '--timeout': expected a number of seconds from 0 to 3600")
        #expect(usageError(["stop", "--timeout=soon"])?.message
            == "invalid value 'soon' for '--timeout': expected a number of seconds from 0 to 3600")
        // Larger values used to reach phase 4 of a stop and trap converting to compose's Int seconds.
        #expect(usageError(["stop", "--timeout", "1e300"])?.message
            == "invalid value '1e300' for '--timeout': expected a number of seconds from 0 to 3600")
        #expect(usageError(["stop", "--timeout", "inf"]) != nil)
        #expect(try run(["stop", "--timeout", "3600"]).values == ["timeout": "3600"])
        #expect(usageError(["logs", "-n", "2.5"])?.message
            == "invalid value '2.5' for '-n': expected a non-negative whole number")
        #expect(usageError(["logs", "--lines", "-3"])?.message
            == "invalid value '-3' for '--lines': expected a non-negative whole number")
    }

    @Test func missingValueIsNamed() {
        #expect(usageError(["stop", "--timeout"])?.message == "option '--timeout' needs a value")
        #expect(usageError(["stop", "--timeout", "--json"])?.message == "option '--timeout' needs a value")
        #expect(usageError(["stop", "--timeout=", "api"])?.message == "option '--timeout' needs a value")
    }

    @Test func flagGivenAValueIsRejected() {
        #expect(usageError(["stop", "--force=1"]) == UsageError("option '--force' does not take a value", command: "stop"))
    }

    @Test func unknownCommandSuggestsTheClosest() {
        #expect(usageError(["stat"]) == UsageError("unknown command 'stat'; did you mean 'status'?"))
        #expect(usageError(["frobnicate"])?.message == "unknown command 'frobnicate'")
        #expect(usageError(["sto"])?.message == "unknown command 'sto'; did you mean 'stop'?")
    }

    @Test func unknownOptionSuggestsTheClosest() {
        #expect(usageError(["stop", "--forse"]) == UsageError("unknown option '--forse'; did you mean '--force'?", command: "stop"))
        #expect(usageError(["stop", "-force"])?.message == "unknown option '-force'; did you mean '--force'?")
        #expect(usageError(["--no-colour", "status"]) == UsageError("unknown option '--no-colour'; did you mean '--no-color'?"))
        #expect(usageError(["stop", "-x"])?.message == "unknown option '-x'")
    }

    @Test func errorsEndWithAFooterNamingTheHelpToRead() {
        #expect(usageError(["stop", "--forse"])?.description
            == "unknown option '--forse'; did you mean '--force'?\nSee 'devctl stop --help' for more information.")
        #expect(usageError(["stat"])?.description
            == "unknown command 'stat'; did you mean 'status'?\nSee 'devctl --help' for more information.")
    }

    @Test func fromProcfileTakesAnOptionalValue() throws {
        #expect(try run(["init", "--from-procfile"]).values == ["from-procfile": "Procfile"])
        #expect(try run(["init", "--from-procfile", "Procfile.dev"]).values == ["from-procfile": "Procfile.dev"])
        #expect(try run(["init", "--from-procfile=Procfile.dev"]).values == ["from-procfile": "Procfile.dev"])
        let followedByFlag = try run(["init", "--from-procfile", "--force"])
        #expect(followedByFlag == Invocation(command: "init", flags: ["force"], values: ["from-procfile": "Procfile"]))
        #expect(followedByFlag.has("from-procfile") && followedByFlag.has("force") && !followedByFlag.has("json"))
    }

    @Test func initTakesNoPositionalArguments() {
        #expect(usageError(["init", "extra"]) == UsageError("unexpected argument 'extra'; 'init' takes no arguments", command: "init"))
    }

    @Test(arguments: ["pause", "resume"])
    func pauseAndResumeNeedAName(command: String) {
        #expect(usageError([command]) == UsageError("'\(command)' needs at least 1 service name", command: command))
    }

    @Test func completionNeedsExactlyOneKnownShell() {
        #expect(usageError(["completion"])?.message == "'completion' needs a shell: one of bash, zsh, fish")
        #expect(usageError(["completion", "tcsh"])?.message == "unknown shell 'tcsh'; expected one of bash, zsh, fish")
        #expect(usageError(["completion", "bsh"])?.message == "unknown shell 'bsh'; did you mean 'bash'?")
        #expect(usageError(["completion", "bash", "zsh"])?.message == "unexpected argument 'zsh'; 'completion' takes a single SHELL")
    }

    @Test func doubleDashEndsOptions() throws {
        #expect(try run(["stop", "--", "--json"]) == Invocation(command: "stop", names: ["--json"]))
        #expect(try run(["--", "status"]) == Invocation(command: "status"))
    }

    /// `--` with nothing after it names no service: `stop --` is `stop`, nothing more or less.
    @Test func aLoneDoubleDashIsNoNames() throws {
        #expect(try run(["stop", "--"]) == run(["stop"]))
        #expect(try run(["stop", "--force", "--"]) == Invocation(command: "stop", flags: ["force"]))
        #expect(try run(["stop", "--", "--"]) == Invocation(command: "stop", names: ["--"]))
        #expect(usageError(["pause", "--"])?.message == "'pause' needs at least 1 service name")
    }

    @Test(arguments: [
        ([], nil), (["help"], nil), (["--help"], nil), (["-h"], nil), (["-f", "x.json"], nil),
        (["help", "stop"], "stop"), (["stop", "--help"], "stop"), (["logs", "api", "-h"], "logs"),
        (["-f", "x.json", "up", "--help"], "up"), (["help", "--help"], "help"),
    ] as [([String], String?)])
    func helpRoutes(arguments: [String], command: String?) throws {
        #expect(try ArgumentParser.parse(arguments) == .help(command: command))
    }

    @Test func helpKnowsEveryCommand() throws {
        for spec in CommandTable.all {
            #expect(try ArgumentParser.parse(["help", spec.name]) == .help(command: spec.name))
        }
        #expect(usageError(["help", "stat"])?.message == "unknown command 'stat'; did you mean 'status'?")
    }

    @Test func versionRoutes() throws {
        #expect(try ArgumentParser.parse(["--version"]) == .version)
        #expect(try ArgumentParser.parse(["--no-color", "--version", "stop"]) == .version)
    }
}
