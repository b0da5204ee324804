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

/// `devctl restart`: the stop of the named services, then their start, under one lock.
@Suite struct RestartTests {
    static let pair = #"{"services": [{"name": "api", "command": ["sleep", "300"]}, {"name": "worker", "command": "sleep 301"}]}"#

    @Test func restartReplacesTheProcessWithANewOne() throws {
        let project = TestProject(Self.pair)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let old = try #require(project.trackedPIDs["api"])
        let result = project.devctl("restart", "api")
        #expect(result.exitCode == 0, "\(result)")
        let new = try #require(project.trackedPIDs["api"])
        #expect(new != old)
        #expect(!KernelProcessEntry.isAlive(old), "the old api survived the restart")
        #expect(KernelProcessEntry.isAlive(new))
        #expect(result.stdout.contains("api (pid \(old)) stopped by SIGTERM"), "\(result)")
        #expect(result.stdout.contains("api spawned (pid \(new))"), "\(result)")
        let events = project.read(".pids/events.log") ?? ""
        #expect(events.contains(#""event":"restart","service":"api","pid":\#(new),"outcome":"restarted""#), "\(events)")
    }

    @Test func restartOfOneServiceLeavesTheOthersRunning() throws {
        let project = TestProject(Self.pair)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let before = project.trackedPIDs
        let result = project.devctl("restart", "api")
        #expect(result.exitCode == 0, "\(result)")
        let after = project.trackedPIDs
        #expect(after["worker"] == before["worker"])
        #expect(after["api"] != before["api"])
        #expect(!result.stdout.contains("worker"), "\(result)")
    }

    @Test func restartWithoutNamesRestartsEveryServiceButNotContainers() throws {
        // A compose file and a stand-in docker that records every call: restart must make none.
        let standIn = try StandInDocker()
        let project = TestProject(Self.pair, files: ["compose.yml": "services: {}\n"])
        project.extraEnvironment["PATH"] = [standIn.bin, ProcessInfo.processInfo.environment["PATH"]].compactMap { $0 }.joined(separator: ":")
        defer { withExtendedLifetime(standIn) { project.cleanUp() } }
        let start = project.devctl("start", "--no-containers")
        #expect(start.exitCode == 0, "\(start)")
        let before = project.trackedPIDs
        try #require(before.count == 2, "\(start)")
        let callsBefore = standIn.calls
        let result = project.devctl("restart")
        #expect(result.exitCode == 0, "\(result)")
        #expect(standIn.calls == callsBefore, "restart called docker: \(standIn.calls.dropFirst(callsBefore.count))\n\(result)")
        let after = project.trackedPIDs
        #expect(Set(after.keys) == ["api", "worker"])
        for (name, pid) in before {
            #expect(after[name] != pid, "\(name) kept its pid")
            #expect(!KernelProcessEntry.isAlive(pid))
        }
        #expect(result.stdout.contains("containers are not part of a restart"), "compose was touched: \(result)")
    }

    @Test func restartOfAListeningServiceGetsItsPortBack() throws {
        let port = FreePort.next()
        let project = TestProject(#"""
        {"services": [{"name": "web", "command": ["python3", "-m", "http.server", "\#(port)", "--bind", "127.0.0.1"],
          "healthcheck": {"http": "http://127.0.0.1:\#(port)/", "timeout": 60}}]}
        """#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let old = try #require(project.trackedPIDs["web"])
        let result = project.devctl("restart", "web")
        #expect(result.exitCode == 0, "\(result)")
        let new = try #require(project.trackedPIDs["web"])
        #expect(new != old)
        #expect(KernelPortListeners.processes(on: port) == [new])
    }

    @Test func restartWhoseStartFailsExitsOne() throws {
        // Starts once; every later start finds its flag and fails.
        let project = TestProject(#"""
        {"services": [{"name": "once", "command": "if [ -e started.flag ]; then echo 'refusing a second run' >&2; exit 4; fi; touch started.flag; exec sleep 300"}]}
        """#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let old = try #require(project.trackedPIDs["once"])
        let result = project.devctl("restart", "once")
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("once failed: exited with status 4"), "\(result)")
        #expect(result.stdout.contains("refusing a second run"), "\(result)")
        #expect(!KernelProcessEntry.isAlive(old))
        #expect(project.read(".pids/events.log")?.contains(#""event":"restart","service":"once","outcome":"failed""#) == true)
    }

    @Test func restartOfAStoppedServiceStartsIt() throws {
        let project = TestProject(Self.pair)
        defer { project.cleanUp() }
        let result = project.devctl("restart", "worker")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("worker was not running"), "\(result)")
        let pid = try #require(project.trackedPIDs["worker"])
        #expect(KernelProcessEntry.isAlive(pid))
    }

    @Test func restartOfAnUnknownServiceIsAUsageError() {
        let project = TestProject(Self.pair)
        defer { project.cleanUp() }
        let result = project.devctl("restart", "apj")
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("unknown service 'apj'; did you mean 'api'?"), "\(result)")
    }
}
