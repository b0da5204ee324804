#if canImport(Glibc)
import Glibc
#endif
import DevctlTestSupport
import Foundation
import Testing

/// Text devctl did not write — command lines, log lines — reaches the terminal with its control
/// characters and escape sequences made visible (`\x1b[31m`, `\r`), so a process cannot recolour,
/// clear or retitle the user's terminal, nor fake a line of devctl's own with a carriage return.
@Suite struct ForeignTextOutputTests {
    /// What a hostile process puts in its argv or output: a colour, a window title (OSC ending in
    /// BEL), a carriage return that rewrites the line, and a C1 CSI (U+009B).
    static let hostile = "\u{1B}[31mred\u{1B}]0;title\u{07}\rfake\u{9B}2J"
    static let shown = #"\x1b[31mred\x1b]0;title\x07\rfake\x9b2J"#

    /// Any control character but the newline, and DEL and C1 controls.
    static func rawControls(_ text: String) -> [String] {
        text.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) }
            .map { String(format: "U+%04X", $0.value) }
    }

    static func environment(_ project: TestProject) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["DEVCTL_TEST_ID"] = project.testID
        return environment
    }

    @Test func anOrphansCommandLineIsShownEscaped() throws {
        let tag = "devctl-escape-\(UUID().uuidString.prefix(8))"
        let project = TestProject(#"{"orphanPatterns": ["\#(tag)"], "services": [{"name": "idle", "command": ["sleep", "300"]}]}"#)
        defer { project.cleanUp() }
        // A short command line, so the hostile part is within the 80 characters a report line shows.
        let orphan = TestProcess(["sh", "-c", "sleep 300 & wait", Self.hostile, tag],
                                 directory: project.root, environment: Self.environment(project))
        defer { orphan.stop() }
        #expect(project.devctl("start").exitCode == 0)
        let result = project.devctl("--no-color", "stop")
        #expect(result.exitCode == 0, "\(result)")
        #expect(!orphan.isAlive)
        #expect(result.stdout.contains("killed pid \(orphan.pid)"), "\(result)")
        #expect(result.stdout.contains(Self.shown), "\(result)")
        #expect(Self.rawControls(result.stdout).isEmpty, "\(Self.rawControls(result.stdout)) in \(result)")
    }

    @Test func statusShowsACommandWithControlsEscaped() throws {
        let project = TestProject(#"""
            {"services": [{"name": "api", "command": ["sh", "-c", "exec sleep 300", "\u001b[2J\rx"]}]}
            """#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let result = project.devctl("status")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains(#"\x1b[2J\rx"#), "\(result)")
        #expect(Self.rawControls(result.stdout).isEmpty, "\(Self.rawControls(result.stdout)) in \(result)")
        let json = project.devctl("status", "--json")
        #expect(json.stdout.contains(#"\u001b[2J\rx"#), "JSON keeps its own escapes: \(json)")
    }

    @Test func aPortHoldersCommandInAStartRefusalIsEscaped() throws {
        let port = FreePort.next()
        let holder = TestProcess(["python3", "-c", "import socket, sys, time; s = socket.socket(); "
                                  + "s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(); time.sleep(300)", "\(port)", Self.hostile])
        defer { holder.stop() }
        try #require(TestProcesses.waitUntil(timeout: 60) { KernelPortListeners.processes(on: port).contains(holder.pid) },
                     "the holder never listened")
        let project = TestProject(#"{"services": [{"name": "api", "command": ["sleep", "300"], "healthcheck": {"tcp": \#(port)}}]}"#)
        defer { project.cleanUp() }
        let result = project.devctl("start")
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("already in use by pid \(holder.pid)"), "\(result)")
        #expect(result.stdout.contains(Self.shown), "\(result)")
        #expect(Self.rawControls(result.stdout + result.stderr).isEmpty, "\(result)")
    }

    @Test func theLastLinesOfAServiceThatFailedAreEscaped() {
        let project = TestProject(#"{"services": [{"name": "bad", "command": "printf 'boom\\033[2J\\rX\\n'; exit 1"}]}"#)
        defer { project.cleanUp() }
        let result = project.devctl("start")
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains(#"bad | boom\x1b[2J\rX"#), "\(result)")
        #expect(Self.rawControls(result.stdout).isEmpty, "\(Self.rawControls(result.stdout)) in \(result)")
    }
}
