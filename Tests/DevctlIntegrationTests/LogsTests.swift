#if canImport(Glibc)
import Glibc
#endif
import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlSystem
import DevctlText
import DevctlTracking
import DevctlTestSupport
import Foundation
import Testing

/// `devctl logs`: what a user reads — prefixes, counts, the order of runs, and following.
@Suite struct LogsTests {
    static let counting = #"""
    {"services": [
      {"name": "api", "command": "for i in $(seq 1 30); do echo line-$i; done; exec sleep 300"},
      {"name": "worker-long", "command": "for i in 1 2 3 4 5; do echo w-$i; done; exec sleep 300"}
    ]}
    """#

    static func header(_ time: String, _ service: String) -> String {
        "==> devctl \(time) start \(service): echo\n"
    }

    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init)
    }

    /// `2026-12-04T19:48:38.MMMZ`: a stamp at `millisecond` of one fixed second.
    static func stamp(_ millisecond: Int) -> String {
        "2026-12-04T19:48:38.\(String(1000 + millisecond).dropFirst())Z"
    }

    /// A line as a keeper stores it: `STAMP TEXT`.
    static func stamped(_ millisecond: Int, _ text: String) -> String {
        "\(stamp(millisecond)) \(text)\n"
    }

    /// api at .100 and .300 (and its exit note at .400), worker at .200, each after its run header.
    static let stampedLogs = [
        ".pids/logs/api.log": stamped(100, ServiceLog.runHeader(service: "api", pid: 4711, restart: 0, command: "serve"))
            + stamped(100, "api at .100") + stamped(300, "api at .300")
            + stamped(400, ServiceLog.note("exit", service: "api", "exited with status 3; restarting in 1 s")),
        ".pids/logs/worker.log": stamped(50, ServiceLog.runHeader(service: "worker", pid: 4712, restart: 0, command: "work"))
            + stamped(200, "worker at .200"),
    ]

    @Test func showsTheLastLinesOfEachLogWithAlignedNamePrefixes() throws {
        let project = TestProject(Self.counting)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        TestProcesses.waitUntil(timeout: 30) {
            project.read(".pids/logs/api.log")?.contains("line-30") == true && project.read(".pids/logs/worker-long.log")?.contains("w-5") == true
        }
        let result = project.devctl("logs", "-n", "3")
        #expect(result.exitCode == 0, "\(result)")
        let lines = Self.lines(result.stdout)
        #expect(lines.filter { $0.hasPrefix("api ") } == ["api         | line-28", "api         | line-29", "api         | line-30"], "\(result)")
        #expect(lines.filter { $0.hasPrefix("worker-long ") } == ["worker-long | w-3", "worker-long | w-4", "worker-long | w-5"])
        #expect(lines.count == 6, "header lines are not shown")

        let byDefault = project.devctl("logs", "api")
        #expect(Self.lines(byDefault.stdout) == (11...30).map { "api | line-\($0)" }, "\(byDefault)")
    }

    @Test func runsOfSeveralServicesAreMergedByTheirStartTime() {
        let project = TestProject(#"{"services": [{"name": "api", "command": "true"}, {"name": "worker", "command": "true"}]}"#)
        defer { project.cleanUp() }
        project.write(".pids/logs/api.log", Self.header("2024-05-01T10:00:00.000Z", "api") + "api run 1\n"
            + Self.header("2024-05-01T10:00:02.000Z", "api") + "api run 3\n")
        project.write(".pids/logs/worker.log", Self.header("2024-05-01T10:00:01.000Z", "worker") + "worker run 2a\nworker run 2b\n")
        let result = project.devctl("logs")
        #expect(result.exitCode == 0, "\(result)")
        #expect(Self.lines(result.stdout) == ["api    | api run 1", "worker | worker run 2a", "worker | worker run 2b", "api    | api run 3"],
                "\(result)")
    }

    @Test func linesOfSeveralServicesAreMergedByTheirStampsAndShownWithoutThem() {
        let project = TestProject(#"{"services": [{"name": "api", "command": "true"}, {"name": "worker", "command": "true"}]}"#,
                                  files: Self.stampedLogs)
        defer { project.cleanUp() }
        let result = project.devctl("logs")
        #expect(result.exitCode == 0, "\(result)")
        #expect(Self.lines(result.stdout) == [
            "api    | api at .100", "worker | worker at .200", "api    | api at .300",
            "api    | ==> devctl exit api: exited with status 3; restarting in 1 s",
        ], "merged by time, headers hidden, the exit note shown: \(result)")
        #expect(!result.stdout.contains("2026-12-04T"), "no stamp without -t: \(result)")
    }

    @Test func timestampsShowTheStoredStampAfterTheNamePrefix() {
        var files = Self.stampedLogs
        files[".pids/logs/legacy.log"] = Self.header("2026-12-04T19:48:38.000Z", "legacy") + "written before stamps\n"
        let project = TestProject(#"{"services": [{"name": "api", "command": "true"}, {"name": "worker", "command": "true"},"#
            + #" {"name": "legacy", "command": "true"}]}"#, files: files)
        defer { project.cleanUp() }
        for flag in ["-t", "--timestamps"] {
            let result = project.devctl("logs", flag)
            #expect(result.exitCode == 0, "\(result)")
            #expect(Self.lines(result.stdout) == [
                "legacy | \(String(repeating: " ", count: 24)) written before stamps",
                "api    | 2026-12-04T19:48:38.100Z api at .100",
                "worker | 2026-12-04T19:48:38.200Z worker at .200",
                "api    | 2026-12-04T19:48:38.300Z api at .300",
                "api    | 2026-12-04T19:48:38.400Z ==> devctl exit api: exited with status 3; restarting in 1 s",
            ], "a line without a stamp is padded to keep the texts aligned: \(result)")
        }
    }

    @Test func lastLinesReadOnIntoTheRotatedLog() {
        let project = TestProject(#"{"services": [{"name": "api", "command": "true"}]}"#, files: [
            ".pids/logs/api.log.2": Self.stamped(1, "line-1"),
            ".pids/logs/api.log.1": (2...4).map { Self.stamped($0, "line-\($0)") }.joined(),
            ".pids/logs/api.log": (5...6).map { Self.stamped($0, "line-\($0)") }.joined(),
        ])
        defer { project.cleanUp() }
        let result = project.devctl("logs", "-n", "4")
        #expect(result.exitCode == 0, "\(result)")
        #expect(Self.lines(result.stdout) == (3...6).map { "api | line-\($0)" }, "\(result)")
        let all = project.devctl("logs")
        #expect(Self.lines(all.stdout) == (1...6).map { "api | line-\($0)" }, "\(all)")
    }

    @Test func followPrintsEveryLineOnceAcrossARotation() throws {
        let project = TestProject(#"{"services": [{"name": "api", "command": "true"}]}"#)
        defer { project.cleanUp() }
        let log = project.root + "/.pids/logs/api.log"
        project.write(".pids/logs/api.log", Self.stamped(1, "before follow"))
        let launched = DevctlRunner.launch(["logs", "-f"], directory: project.root, environment: project.environment)
        var finished = false
        defer { if !finished { kill(launched.pid, SIGKILL); _ = DevctlRunner.finish(launched) } }
        #expect(LaunchedOutput.wait(launched, for: "api | before follow"))
        try FileSystem.append(log, Array(Self.stamped(2, "appended").utf8))
        #expect(LaunchedOutput.wait(launched, for: "api | appended"))

        // The keeper's rotation: the log renamed, its last lines, then a new log.
        #expect(rename(log, log + ".1") == 0)
        try FileSystem.append(log + ".1", Array(Self.stamped(3, "last in the old log").utf8))
        try FileSystem.append(log, Array(Self.stamped(4, "first in the new log").utf8))
        #expect(LaunchedOutput.wait(launched, for: "api | first in the new log"))
        try FileSystem.append(log, Array(Self.stamped(5, "second in the new log").utf8))
        #expect(LaunchedOutput.wait(launched, for: "api | second in the new log"))

        kill(launched.pid, SIGINT)
        let result = DevctlRunner.finish(launched)
        finished = true
        #expect(result.exitCode == 0, "\(result)")
        #expect(Self.lines(result.stdout) == ["api | before follow", "api | appended", "api | last in the old log",
                                              "api | first in the new log", "api | second in the new log"], "\(result)")
    }

    @Test func followPrintsNewLinesAndPicksUpATruncatedOrRecreatedLog() throws {
        let project = TestProject(#"{"services": [{"name": "api", "command": "true"}]}"#)
        defer { project.cleanUp() }
        let log = ".pids/logs/api.log"
        project.write(log, Self.header("2024-05-01T10:00:00.000Z", "api") + "before follow\n")
        let launched = DevctlRunner.launch(["logs", "-f"], directory: project.root, environment: project.environment)
        var finished = false
        defer { if !finished { kill(launched.pid, SIGKILL); _ = DevctlRunner.finish(launched) } }
        #expect(LaunchedOutput.wait(launched, for: "api | before follow"))

        let handle = try #require(FileHandle(forWritingAtPath: project.root + "/" + log))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("appended\n".utf8))
        try handle.close()
        #expect(LaunchedOutput.wait(launched, for: "api | appended"))

        // A restart that truncates the log and writes a new header.
        try Data((Self.header("2024-05-01T10:00:05.000Z", "api") + "after truncation\n").utf8)
            .write(to: URL(fileURLWithPath: project.root + "/" + log))
        #expect(LaunchedOutput.wait(launched, for: "api | after truncation"))

        // A restart that replaces the file with a new one.
        project.write(".pids/logs/api.log.new", Self.header("2024-05-01T10:00:09.000Z", "api") + "in a new file\n")
        rename(project.root + "/.pids/logs/api.log.new", project.root + "/" + log)
        #expect(LaunchedOutput.wait(launched, for: "api | in a new file"))

        kill(launched.pid, SIGINT)
        let result = DevctlRunner.finish(launched)
        finished = true
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stderr.isEmpty, "\(result)")
        #expect(!result.stdout.contains("==> devctl"), "header lines are not output")
        #expect(Self.lines(result.stdout) == ["api | before follow", "api | appended", "api | after truncation", "api | in a new file"])
    }

    @Test func followShowsWhatARunningServiceWritesNext() throws {
        let project = TestProject(#"{"services": [{"name": "ticker", "command": "i=0; while :; do i=$((i+1)); echo tick-$i; sleep 0.1; done"}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        #expect(TestProcesses.waitUntil(timeout: 30) { project.read(".pids/logs/ticker.log")?.contains("tick-3") == true })
        // Freeze the ticker so the newest line is known while `-n 1` reads the log, then let it run.
        let ticker = try #require(project.trackedPIDs["ticker"])
        kill(-ticker, SIGSTOP)
        #expect(TestProcesses.waitUntil { KernelProcessEntry(pid: ticker)?.state == "T" })
        usleep(200_000)
        let newest = try #require(Self.lines(project.read(".pids/logs/ticker.log") ?? "")
            .map { $0.dropFirst(25) }.compactMap { $0.hasPrefix("tick-") ? Int($0.dropFirst(5)) : nil }.max())
        let launched = DevctlRunner.launch(["logs", "-f", "-n", "1"], directory: project.root, environment: project.environment)
        var finished = false
        defer { if !finished { kill(launched.pid, SIGKILL); _ = DevctlRunner.finish(launched) } }
        #expect(LaunchedOutput.wait(launched, for: "tick-\(newest)\n"))
        usleep(300_000)
        #expect(Self.lines(LaunchedOutput.stdout(of: launched)) == ["ticker | tick-\(newest)"], "-n 1 shows only the newest line at first")
        kill(-ticker, SIGCONT)
        #expect(LaunchedOutput.wait(launched, for: "tick-\(newest + 5)\n"))
        kill(launched.pid, SIGINT)
        let result = DevctlRunner.finish(launched)
        finished = true
        #expect(result.exitCode == 0, "\(result)")
        let ticks = Self.lines(result.stdout).compactMap { Int($0.split(separator: "-").last ?? "") }
        let first = try #require(ticks.first, "logs -f printed no tick: \(result)")
        #expect(first == newest, "\(result)")
        #expect(ticks == Array(first..<(first + ticks.count)), "no line lost or repeated: \(ticks)")
    }

    @Test func missingLogIsANoteNotAFailure() {
        let project = TestProject(#"{"services": [{"name": "api", "command": "true"}, {"name": "worker", "command": "true"}]}"#)
        defer { project.cleanUp() }
        project.write(".pids/logs/worker.log", Self.header("2024-05-01T10:00:00.000Z", "worker") + "hello\n")
        let result = project.devctl("logs")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stderr.contains("no log for 'api'"), "\(result)")
        #expect(Self.lines(result.stdout) == ["worker | hello"])
    }

    @Test func unknownServiceIsAUsageError() {
        let project = TestProject(#"{"services": [{"name": "api", "command": "true"}]}"#)
        defer { project.cleanUp() }
        let result = project.devctl("logs", "apj")
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("did you mean 'api'"), "\(result)")
    }

    /// A carriage return in a line once let a service print over its own prefix and pass for
    /// another service; a clear-screen or a bell reached the terminal as well.
    static let hostileLog = header("2024-05-01T10:00:00.000Z", "worker")
        + "progress 50%\rapi    | injected\n"
        + "\u{1B}[2J\u{1B}[32mgreen\u{1B}[0m\tcolumn\n"
        + "bell\u{07}\u{9B}31m\n"

    @Test func controlsInALogLineAreShownEscapedAndCannotFakeAPrefix() {
        let project = TestProject(#"{"services": [{"name": "api", "command": "true"}, {"name": "worker", "command": "true"}]}"#)
        defer { project.cleanUp() }
        project.write(".pids/logs/worker.log", Self.hostileLog)
        let result = project.devctl("logs", "worker")
        #expect(result.exitCode == 0, "\(result)")
        #expect(Self.lines(result.stdout) == [
            #"worker | progress 50%\rapi    | injected"#,
            "worker | \\x1b[2Jgreen\tcolumn",
            #"worker | bell\x07\x9b31m"#,
        ], "off a terminal the service's colours are removed, the other controls shown, tabs kept: \(result)")
    }

    @Test(.enabled(if: PseudoTerminal.isAvailable, "util-linux 'script' is not installed"))
    func onATerminalAServicesColoursStayButNothingElseDoes() {
        let project = TestProject(#"{"services": [{"name": "api", "command": "true"}, {"name": "worker", "command": "true"}]}"#)
        defer { project.cleanUp() }
        project.write(".pids/logs/worker.log", Self.hostileLog)
        let result = PseudoTerminal.devctl(["logs", "worker"], in: project)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains(#"progress 50%\rapi    | injected"#), "\(result)")
        // The colour is kept, and reset at the end of the line so it cannot leak into the next.
        #expect(result.stdout.contains("\\x1b[2J\u{1B}[32mgreen\u{1B}[0m\tcolumn\u{1B}[0m"), "\(result)")
        #expect(result.stdout.contains(#"bell\x07\x9b31m"#), "\(result)")
        let lineEnds = result.stdout.replacingOccurrences(of: "\r\n", with: "\n")
        #expect(!lineEnds.contains("\r") && !lineEnds.contains("\u{07}") && !lineEnds.contains("\u{9B}"), "\(result)")
    }

    @Test(.enabled(if: PseudoTerminal.isAvailable, "util-linux 'script' is not installed"))
    func startStatusAndLogsUseColourOnATerminalButNoEscapeWithNoColor() throws {
        let project = TestProject(#"{"services": [{"name": "api", "command": "printf 'plain \\033[31mred\\033[0m\\n'; exec sleep 300"}]}"#)
        defer { project.cleanUp() }
        let coloured = PseudoTerminal.devctl(["start"], in: project)
        #expect(coloured.exitCode == 0, "\(coloured)")
        #expect(coloured.stdout.contains("\u{1B}["), "on a terminal, start is coloured: \(coloured)")
        TestProcesses.waitUntil(timeout: 30) { project.read(".pids/logs/api.log")?.contains("plain") == true }
        // devctl's own colour: the first configured service's prefix is cyan (ServiceLines.palette).
        let colouredLogs = PseudoTerminal.devctl(["logs"], in: project)
        #expect(colouredLogs.stdout.contains("\u{1B}[36mapi |\u{1B}[0m plain"), "on a terminal, the name prefix is coloured: \(colouredLogs)")

        for arguments in [["start"], ["status"], ["logs"]] {
            let result = PseudoTerminal.devctl(arguments, in: project, environment: ["NO_COLOR": "1"])
            #expect(result.exitCode == 0, "\(result)")
            #expect(!result.stdout.isEmpty)
            #expect(!result.stdout.contains("\u{1B}"), "NO_COLOR devctl \(arguments[0]) printed an escape sequence: \(result)")
        }
        let logs = PseudoTerminal.devctl(["logs"], in: project, environment: ["NO_COLOR": "1"])
        #expect(logs.stdout.contains("api | plain red"), "the service's own colours are removed too: \(logs)")
    }
}
