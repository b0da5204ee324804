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

/// `devctl up`: a foreground session run with pipes as a CI job or a wrapper script would, and
/// signalled the way a terminal's Ctrl-C would.
@Suite struct UpTests {
    static let tickers = #"""
    {"services": [
      {"name": "alpha", "command": "echo old-alpha-line; i=0; while :; do i=$((i+1)); echo alpha-$i; sleep 0.2; done"},
      {"name": "beta-long", "command": "i=0; while :; do i=$((i+1)); echo beta-$i; sleep 0.2; done"}
    ]}
    """#

    /// A launched `up` that is SIGKILLed at the end of the test unless the test finished it.
    final class Session {
        let launched: (pid: Int32, out: String, err: String)
        let began = Date()
        private var result: RunResult?

        init(_ arguments: [String], project: TestProject) {
            launched = DevctlRunner.launch(arguments, directory: project.root, environment: project.environment)
        }

        @discardableResult
        func wait(for text: String) -> Bool { LaunchedOutput.wait(launched, for: text) }

        func signal(_ number: Int32) {
            if result == nil { kill(launched.pid, number) }
        }

        func finish() -> RunResult {
            if let result { return result }
            let finished = DevctlRunner.finish(launched, began: began)
            result = finished
            return finished
        }

        deinit {
            signal(SIGKILL)
            _ = finish()
        }
    }

    @Test func streamsPrefixedLinesOfTwoServicesAndStopsEverythingOnCtrlC() throws {
        let project = TestProject(Self.tickers)
        defer { project.cleanUp() }
        let up = Session(["up"], project: project)
        #expect(up.wait(for: "alpha     | alpha-2"))
        #expect(up.wait(for: "beta-long | beta-2"))
        let processes = project.markedProcesses
        #expect(processes.count >= 2)
        up.signal(SIGINT)
        let result = up.finish()
        #expect(result.exitCode == 0, "\(result)")
        for phase in 1...5 { #expect(result.stdout.contains("[\(phase)/5]"), "\(result)") }
        #expect(result.stdout.contains("2 stopped gracefully"))
        for pid in processes { #expect(!KernelProcessEntry.isAlive(pid), "pid \(pid) survived up's stop") }
        #expect(project.markedProcesses.isEmpty)
        #expect(project.trackedPIDs.isEmpty)
        #expect(result.stdout.contains("alpha     | old-alpha-line"), "what a service prints while starting is shown")
    }

    @Test func adoptsARunningServiceShowsOnlyItsNewOutputAndStopsIt() throws {
        let project = TestProject(Self.tickers)
        defer { project.cleanUp() }
        #expect(project.devctl("start", "alpha").exitCode == 0)
        let adopted = try #require(project.trackedPIDs["alpha"])
        TestProcesses.waitUntil(timeout: 30) { project.read(".pids/logs/alpha.log")?.contains("alpha-3") == true }
        let up = Session(["up"], project: project)
        #expect(up.wait(for: "adopted: alpha"))
        let last = (project.read(".pids/logs/alpha.log") ?? "").split(separator: "\n").count
        #expect(up.wait(for: "alpha     | alpha-\(last + 2)"), "new lines of the adopted service are followed")
        up.signal(SIGINT)
        let result = up.finish()
        #expect(result.exitCode == 0, "\(result)")
        #expect(!result.stdout.contains("old-alpha-line"), "old log lines are not replayed: \(result)")
        #expect(!result.stdout.split(separator: "\n").contains("alpha     | alpha-1"))
        #expect(!KernelProcessEntry.isAlive(adopted), "the adopted service was stopped at the end")
        #expect(project.markedProcesses.isEmpty)
    }

    @Test func exitOnFailureStopsEverythingWhenAServiceExits() throws {
        let project = TestProject(#"""
        {"services": [
          {"name": "steady", "command": ["sleep", "300"]},
          {"name": "flaky", "command": "sleep 3; echo giving up; exit 4"}
        ]}
        """#)
        defer { project.cleanUp() }
        let result = project.devctl("up", "--exit-on-failure")
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("flaky  | giving up"), "\(result)")
        #expect(result.stdout.contains("flaky exited with status 4"))
        #expect(result.stdout.contains("[5/5]"))
        #expect(result.stdout.contains("1 stopped gracefully"))
        #expect(project.markedProcesses.isEmpty, "everything was stopped")
    }

    @Test func withoutExitOnFailureAnExitIsAnnouncedAndTheSessionGoesOn() throws {
        let project = TestProject(#"""
        {"services": [
          {"name": "steady", "command": "while :; do echo steady; sleep 0.2; done"},
          {"name": "flaky", "command": "sleep 1; exit 5"}
        ]}
        """#)
        defer { project.cleanUp() }
        let up = Session(["up"], project: project)
        #expect(up.wait(for: "flaky exited with status 5"))
        let before = LaunchedOutput.stdout(of: up.launched).count
        #expect(TestProcesses.waitUntil(timeout: 30) { LaunchedOutput.stdout(of: up.launched).count > before + 40 },
                "up kept following the other service")
        up.signal(SIGTERM)
        let result = up.finish()
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("SIGTERM received"))
        #expect(project.markedProcesses.isEmpty)
    }

    @Test func otherTerminalsCanStopAndStartServicesWhileUpFollows() throws {
        let project = TestProject(Self.tickers)
        defer { project.cleanUp() }
        let up = Session(["up"], project: project)
        #expect(up.wait(for: "following"))
        #expect(project.devctl("status").exitCode == 0)
        let old = try #require(project.trackedPIDs["alpha"])
        let stop = project.devctl("stop", "alpha")
        #expect(stop.exitCode == 0, "up must not hold the lock while following: \(stop)")
        #expect(up.wait(for: "alpha (pid \(old)) was stopped by another devctl"))
        let start = project.devctl("start", "alpha")
        #expect(start.exitCode == 0, "\(start)")
        let new = try #require(project.trackedPIDs["alpha"])
        #expect(up.wait(for: "alpha started by another devctl (pid \(new))"))
        #expect(TestProcesses.waitUntil(timeout: 30) {
            LaunchedOutput.stdout(of: up.launched).components(separatedBy: "alpha     | old-alpha-line").count == 3
        }, "the new run's output is followed")
        up.signal(SIGINT)
        let result = up.finish()
        #expect(result.exitCode == 0, "\(result)")
        #expect(!KernelProcessEntry.isAlive(new), "the service started elsewhere is stopped with the session")
        #expect(project.markedProcesses.isEmpty)
    }

    @Test func stopFromAnotherTerminalEndsTheSessionWithSuccess() throws {
        let project = TestProject(Self.tickers)
        defer { project.cleanUp() }
        let up = Session(["up"], project: project)
        #expect(up.wait(for: "following"))
        let stop = project.devctl("stop")
        #expect(stop.exitCode == 0, "\(stop)")
        let result = up.finish()
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("every service was stopped by another devctl"), "\(result)")
        #expect(project.markedProcesses.isEmpty)
    }

    @Test func secondCtrlCTurnsTheStopIntoAForcedOne() throws {
        let project = TestProject(#"{"stopTimeout": 120, "services": [{"name": "stubborn", "command": ["\#(Fixtures.path("ignore-term.sh"))"]}]}"#)
        defer { project.cleanUp() }
        let up = Session(["up"], project: project)
        #expect(up.wait(for: "following"))
        let processes = project.markedProcesses
        up.signal(SIGINT)
        #expect(up.wait(for: "[1/5]"))
        up.signal(SIGINT)
        let result = up.finish()
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("forcing the stop"))
        #expect(result.stdout.contains("1 forced (stubborn)"))
        #expect(result.seconds < 100, "the second Ctrl-C did not cut the 120 s grace short")
        for pid in processes { #expect(!KernelProcessEntry.isAlive(pid)) }
    }

    @Test(.enabled(if: PseudoTerminal.isAvailable, "util-linux 'script' is not installed"))
    func upUsesColourOnATerminalButNoEscapeWithNoColor() throws {
        let project = TestProject(#"""
        {"services": [
          {"name": "steady", "command": ["sleep", "300"]},
          {"name": "short", "command": "echo hello; sleep 1; exit 3"}
        ]}
        """#)
        defer { project.cleanUp() }
        let coloured = PseudoTerminal.devctl(["up", "--exit-on-failure"], in: project)
        #expect(coloured.exitCode == 1, "\(coloured)")
        #expect(coloured.stdout.contains("\u{1B}["), "on a terminal, up is coloured: \(coloured)")
        let plain = PseudoTerminal.devctl(["up", "--exit-on-failure"], in: project, environment: ["NO_COLOR": "1"])
        #expect(plain.exitCode == 1, "\(plain)")
        #expect(plain.stdout.contains("short  | hello"), "\(plain)")
        #expect(!plain.stdout.contains("\u{1B}"), "NO_COLOR up printed an escape sequence: \(plain)")
        #expect(project.markedProcesses.isEmpty)
    }
}
