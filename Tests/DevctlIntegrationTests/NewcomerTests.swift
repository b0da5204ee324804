import DevctlTestSupport
import Foundation
import Testing

/// What a newcomer's first day with devctl showed up: output that hid what was left running,
/// pointed at logs that did not exist, refused `status --no-color`, wrapped on a narrow terminal,
/// counted "process(es)" two ways, and spent a line on each phase that had nothing to do.
@Suite(.serialized) struct NewcomerTests {
    @Test func healthFailureSummaryNamesThePidLeftRunningAndItsLog() throws {
        let port = FreePort.next()
        let project = TestProject(#"""
        {"services": [{"name": "mute", "command": ["sleep", "300"],
          "healthcheck": {"tcp": \#(port), "timeout": 0.5, "interval": 0.1}}]}
        """#)
        defer { project.cleanUp() }
        let result = project.devctl("start")
        #expect(result.exitCode == 1, "\(result)")
        let pid = try #require(project.trackedPIDs["mute"], "\(result)")
        let row = result.stdout.split(separator: "\n").first { $0.hasPrefix("mute ") && $0.contains("not healthy") }
        #expect(row?.contains(" \(pid) ") == true, "the summary hides the pid left running: \(result)")
        #expect(row?.contains("left running") == true, "\(result)")
        #expect(result.stdout.contains("see 'devctl logs mute'"), "\(result)")
    }

    @Test func failureBeforeAnythingRanPointsAtNoLog() throws {
        let taken = try LoopbackSocket()
        defer { taken.close() }
        let project = TestProject(#"""
        {"services": [{"name": "web", "command": ["sleep", "300"], "healthcheck": {"tcp": \#(taken.port)}}]}
        """#)
        defer { project.cleanUp() }
        let result = project.devctl("start")
        #expect(result.exitCode == 1, "\(result)")
        #expect(!result.stdout.contains("devctl logs"), "nothing ran, so there is no log to see: \(result)")
    }

    @Test func stepsRunWithoutAGapWhenAServiceIsNotStarted() throws {
        let project = TestProject(#"""
        {"services": [{"name": "steady", "command": ["sleep", "300"]},
                      {"name": "broken", "command": ["sh", "-c", "exit 3"]},
                      {"name": "after", "command": ["sleep", "301"], "dependsOn": ["broken"]}]}
        """#)
        defer { project.cleanUp() }
        let result = project.devctl("start")
        #expect(result.exitCode == 1, "\(result)")
        for step in ["[1/3]", "[2/3]", "[3/3]"] {
            #expect(result.stdout.contains(step), "step \(step) is missing: \(result)")
        }
        #expect(result.stdout.contains("after not started"), "\(result)")
    }

    @Test func plainStopSaysASkippedPhaseOnThePhasesOwnLine() throws {
        let project = TestProject(#"{"services": [{"name": "api", "command": ["sleep", "300"]}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let result = project.devctl("stop")
        #expect(result.exitCode == 0, "\(result)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("[2/5] Force — nothing left to kill"), "\(result)")
        #expect(lines.contains("[3/5] Orphan sweep — no orphans found"), "\(result)")
        #expect(lines.contains("[4/5] Containers — skipped (no compose file)"), "\(result)")
        #expect(lines.count <= 9, "\(lines.count) lines: \(result)")
        #expect(!result.stdout.contains("(s)") && !result.stdout.contains("(es)"), "\(result)")
    }

    @Test func stopCountsTheSameProcessesWhenTheGraceRunsOut() throws {
        let project = TestProject(#"{"stopTimeout": 0.3, "services": [{"name": "stubborn", "command": ["\#(Fixtures.path("ignore-term.sh"))"]}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let result = project.devctl("stop")
        #expect(result.exitCode == 0, "\(result)")
        let still = Self.count(in: result.stdout, after: "stubborn still has ")
        let killed = Self.count(in: result.stdout, after: "stubborn: SIGKILL to ")
        #expect(still != nil && still == killed, "\(result)")
        #expect(result.stdout.contains("(did not exit in time)"), "\(result)")
        #expect(!result.stdout.contains("(es)"), "\(result)")
    }

    @Test func forcedStopSaysItWasForcedByTheFlag() throws {
        let project = TestProject(#"{"stopTimeout": 30, "services": [{"name": "stubborn", "command": ["\#(Fixtures.path("ignore-term.sh"))"]}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let result = project.devctl("stop", "--force")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("(forced by --force)"), "\(result)")
        #expect(!result.stdout.contains("did not exit in time"), "\(result)")
    }

    @Test func restartSaysContainersAreNotPartOfIt() throws {
        let project = TestProject(#"{"services": [{"name": "api", "command": ["sleep", "300"]}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let result = project.devctl("restart")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("[4/5] Containers — skipped (containers are not part of a restart)"), "\(result)")
        #expect(!result.stdout.contains("named services only"), "\(result)")
    }

    @Test func globalOptionsWorkAfterTheCommand() throws {
        let project = TestProject(#"{"services": [{"name": "api", "command": ["sleep", "300"]}]}"#)
        defer { project.cleanUp() }
        let status = project.devctl("status", "--no-color")
        #expect(status.exitCode == 3, "\(status)")
        #expect(status.stdout.contains("api"), "\(status)")
        let elsewhere = TestProject(#"{"services": [{"name": "other", "command": ["sleep", "300"]}]}"#)
        defer { elsewhere.cleanUp() }
        let pointed = elsewhere.devctl("status", "--file", project.root + "/services.json")
        #expect(pointed.exitCode == 3, "\(pointed)")
        #expect(pointed.stdout.contains("api") && !pointed.stdout.contains("other"), "\(pointed)")
    }

    @Test(.enabled(if: PseudoTerminal.isAvailable))
    func anEmptyNoColorKeepsTheColour() throws {
        let project = TestProject(#"{"services": [{"name": "api", "command": ["sleep", "300"]}]}"#)
        defer { project.cleanUp() }
        let empty = PseudoTerminal.devctl(["status"], in: project, environment: ["NO_COLOR": ""])
        #expect(empty.stdout.contains("\u{1B}["), "NO_COLOR= turned colour off: \(empty)")
        let set = PseudoTerminal.devctl(["status"], in: project, environment: ["NO_COLOR": "1"])
        #expect(!set.stdout.contains("\u{1B}"), "\(set)")
        let flag = PseudoTerminal.devctl(["status", "--no-color"], in: project)
        #expect(!flag.stdout.contains("\u{1B}"), "\(flag)")
    }

    @Test(.enabled(if: PseudoTerminal.isAvailable))
    func statusFitsTheTerminalByShorteningTheCommand() throws {
        let long = "sleep 300 # " + String(repeating: "a-very-long-argument ", count: 8)
        let project = TestProject(#"{"services": [{"name": "api", "command": "\#(long)"}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let narrow = PseudoTerminal.devctl(["status", "--no-color"], in: project, environment: ["COLUMNS": "80"])
        let rows = narrow.stdout.replacingOccurrences(of: "\r", with: "").split(separator: "\n")
            .filter { $0.hasPrefix("NAME") || $0.hasPrefix("api") }
        #expect(rows.count == 2, "\(narrow)")
        #expect(rows.allSatisfy { $0.count <= 80 }, "status is wider than the terminal: \(narrow)")
        #expect(rows.last?.hasSuffix("…") == true, "\(narrow)")
        let piped = project.devctl("status")
        #expect(piped.stdout.contains(long.trimmingCharacters(in: .whitespaces)), "a pipe gets the whole command: \(piped)")
    }

    /// The number after `prefix` in `text`: "still has 2 processes" → 2.
    private static func count(in text: String, after prefix: String) -> Int? {
        guard let range = text.range(of: prefix) else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }
}
