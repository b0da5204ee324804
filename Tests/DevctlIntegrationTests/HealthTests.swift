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

/// Health checks, dependency order and port conflicts of `devctl start`, and the reverse order of
/// `stop`, against real sockets and processes.
@Suite struct HealthTests {
    static let listen = Fixtures.path("listen.py")

    /// The events of `.pids/events.log` named `event`, as dictionaries.
    static func events(_ project: TestProject, _ event: String) -> [[String: Any]] {
        (project.read(".pids/events.log") ?? "").split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }.filter { $0["event"] as? String == event }
    }

    @Test func tcpCheckWaitsForAPortOpenedAfterASecond() throws {
        let port = FreePort.next()
        let project = TestProject(#"""
        {"services": [{"name": "late", "command": ["python3", "\#(Self.listen)", "\#(port)", "1"],
          "healthcheck": {"tcp": \#(port), "timeout": 60}}]}
        """#)
        defer { project.cleanUp() }
        let result = project.devctl("start")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("late waiting for tcp 127.0.0.1:\(port)"), "\(result)")
        #expect(result.stdout.contains("late ready"), "\(result)")
        // Ready was said only once the port was open: it still is, and nothing else opened it.
        #expect(HealthProbe.tcp(port: port, timeout: 5) == .healthy)
        #expect(KernelPortListeners.processes(on: port) == [project.trackedPIDs["late"]].compactMap { $0 })
        #expect(result.seconds >= 1, "ready before the service could have listened")
        #expect(Self.events(project, "health").first?["outcome"] as? String == "ready")
    }

    @Test func httpCheckWaitsForAPythonHTTPServer() throws {
        let port = FreePort.next()
        let project = TestProject(#"""
        {"services": [{"name": "web", "command": ["python3", "-m", "http.server", "\#(port)", "--bind", "127.0.0.1"],
          "healthcheck": {"http": "http://127.0.0.1:\#(port)/", "timeout": 60}}]}
        """#)
        defer { project.cleanUp() }
        let result = project.devctl("start")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("web ready"), "\(result)")
        #expect(HealthProbe.http(url: "http://127.0.0.1:\(port)/", timeout: 5) == .healthy)
        let status = project.devctl("status", "--json", "web")
        #expect(status.exitCode == 0, "\(status)")
        #expect(status.stdout.contains(#""health":"healthy""#), "\(status)")
    }

    @Test func commandCheckRunsInTheServiceFolderAndEnvironment() throws {
        let project = TestProject(#"""
        {"services": [{"name": "maker", "cwd": "work", "env": {"READY_FILE": "ready.flag"},
          "command": "sleep 1; touch \"$READY_FILE\"; exec sleep 300",
          "healthcheck": {"command": "test -f \"$READY_FILE\" && test \"$DEVCTL_SERVICE\" = maker", "timeout": 60}}]}
        """#, files: ["work/keep": ""])
        defer { project.cleanUp() }
        let result = project.devctl("start")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("maker ready"), "\(result)")
        // The check passed only once the file existed, and it looked in the service's folder.
        #expect(FileManager.default.fileExists(atPath: project.root + "/work/ready.flag"))
        #expect(result.seconds >= 1)
    }

    @Test func commandCheckSlowerThanTwoSecondsCanStillPass() throws {
        let project = TestProject(#"""
        {"services": [{"name": "slowcheck", "command": ["sleep", "300"],
          "healthcheck": {"command": "sleep 2.5", "timeout": 30}}]}
        """#)
        defer { project.cleanUp() }
        let result = project.devctl("start")
        #expect(result.exitCode == 0, "a check that takes 2.5 s of its 30 s must pass: \(result)")
        #expect(result.stdout.contains("slowcheck ready"), "\(result)")
    }

    @Test func serviceExitingDuringTheWaitFailsAtOnceWithItsLastLogLine() throws {
        let port = FreePort.next()
        let project = TestProject(#"""
        {"services": [{"name": "crashy", "command": "echo starting; sleep 0.5; echo 'fatal: database url missing' >&2; exit 3",
          "healthcheck": {"tcp": \#(port), "timeout": 60}}]}
        """#)
        defer { project.cleanUp() }
        let result = project.devctl("start")
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("crashy failed: exited with status 3"), "\(result)")
        #expect(result.stdout.contains("fatal: database url missing"), "\(result)")
        // Failed by the exit, not by the 60 s health timeout.
        #expect(result.seconds < 45, "\(result)")
        #expect(!result.stdout.contains("not healthy after"), "\(result)")
    }

    @Test func failureShowsOnlyTheLogLinesOfThisRun() throws {
        // The first run logs a line and keeps running; every later run exits at once, silently.
        let project = TestProject(#"""
        {"services": [{"name": "flaky", "command": "if [ -e ran.flag ]; then exit 5; fi; touch ran.flag; echo 'line from the first run'; exec sleep 300"}]}
        """#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        TestProcesses.waitUntil(timeout: 60) { project.read(".pids/logs/flaky.log")?.contains("line from the first run") == true }
        #expect(project.devctl("stop").exitCode == 0)
        let result = project.devctl("start")
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("flaky failed: exited with status 5"), "\(result)")
        #expect(!result.stdout.contains("line from the first run"), "an earlier run's output was shown as this run's: \(result)")
    }

    @Test func healthTimeoutFailsTheStart() throws {
        let port = FreePort.next()
        let project = TestProject(#"""
        {"services": [{"name": "mute", "command": ["sleep", "300"],
          "healthcheck": {"tcp": \#(port), "timeout": 0.5, "interval": 0.1}}]}
        """#)
        defer { project.cleanUp() }
        let result = project.devctl("start")
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("mute failed: not healthy after 0.5 s (connection refused)"), "\(result)")
        #expect(Self.events(project, "health").first?["outcome"] as? String == "failed")
    }

    @Test func dependentStartsOnlyAfterItsDependencyIsHealthy() throws {
        let port = FreePort.next()
        let record = NSTemporaryDirectory() + "devctl-port-at-start-\(UUID().uuidString)"
        defer { unlink(record) }
        let project = TestProject(#"""
        {"services": [
          {"name": "api", "dependsOn": ["db"], "command": ["python3", "\#(Fixtures.path("port-at-start.py"))", "\#(port)", "\#(record)"]},
          {"name": "db", "command": ["python3", "\#(Self.listen)", "\#(port)", "1"], "healthcheck": {"tcp": \#(port), "timeout": 60}}]}
        """#)
        defer { project.cleanUp() }
        let result = project.devctl("start", "api")
        #expect(result.exitCode == 0, "\(result)")
        // The file exists a moment before its line is written: wait for the whole line.
        TestProcesses.waitUntil(timeout: 60) { (try? String(contentsOfFile: record, encoding: .utf8))?.hasSuffix("\n") == true }
        let recorded = try? String(contentsOfFile: record, encoding: .utf8)
        #expect(recorded == "open\n", "recorded \(recorded.debugDescription): api started before db listened")
        let pids = project.trackedPIDs
        let api = try #require(pids["api"].flatMap(KernelProcessEntry.init(pid:)), "api is not running")
        let db = try #require(pids["db"].flatMap(KernelProcessEntry.init(pid:)), "db is not running")
        // db listens a second after it starts, so api cannot have started sooner (less a tick of rounding).
        let ticks = Double(KernelProcessEntry.clockTicksPerSecond)
        #expect(Double(api.startTime) - Double(db.startTime) >= ticks - 1, "api \(api.startTime), db \(db.startTime)")
    }

    @Test func dependentWaitsForADependencyThatIsAlreadyRunningButNotYetHealthy() throws {
        let port = FreePort.next()
        let record = NSTemporaryDirectory() + "devctl-port-at-start-\(UUID().uuidString)"
        defer { unlink(record) }
        let project = TestProject(#"""
        {"services": [
          {"name": "db", "command": ["python3", "\#(Self.listen)", "\#(port)", "1.5"], "healthcheck": {"tcp": \#(port), "timeout": 60}},
          {"name": "api", "dependsOn": ["db"], "command": ["python3", "\#(Fixtures.path("port-at-start.py"))", "\#(port)", "\#(record)"]}]}
        """#)
        defer { project.cleanUp() }
        // db is spawned but not waited for; the next start finds it running, not yet listening.
        let first = project.devctl("start", "db", "--no-wait")
        #expect(first.exitCode == 0, "\(first)")
        let result = project.devctl("start", "api")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("db already running"), "\(result)")
        // The file exists a moment before its line is written: wait for the whole line.
        TestProcesses.waitUntil(timeout: 60) { (try? String(contentsOfFile: record, encoding: .utf8))?.hasSuffix("\n") == true }
        let recorded = try? String(contentsOfFile: record, encoding: .utf8)
        #expect(recorded == "open\n", "recorded \(recorded.debugDescription): api started before db listened: \(result)")
    }

    @Test func startAgainChecksTheHealthOfAServiceAlreadyRunning() throws {
        let port = FreePort.next()
        let project = TestProject(#"""
        {"services": [{"name": "mute", "command": ["sleep", "300"],
          "healthcheck": {"tcp": \#(port), "timeout": 0.5, "interval": 0.1}}]}
        """#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 1)
        let pid = try #require(project.trackedPIDs["mute"], "the unhealthy service is left running for inspection")
        let again = project.devctl("start")
        #expect(again.exitCode == 1, "an unhealthy service was reported as started: \(again)")
        #expect(again.stdout.contains("mute already running (pid \(pid))"), "\(again)")
        #expect(again.stdout.contains("mute failed: not healthy after 0.5 s"), "\(again)")
        #expect(project.trackedPIDs["mute"] == pid, "a running service must not be spawned twice")
    }

    @Test func failedDependencyIsNotFollowedByItsDependents() throws {
        let marker = NSTemporaryDirectory() + "devctl-dependent-ran-\(UUID().uuidString)"
        defer { unlink(marker) }
        let project = TestProject(#"""
        {"services": [
          {"name": "db", "command": "echo 'no data dir' >&2; exit 2"},
          {"name": "api", "dependsOn": ["db"], "command": "touch '\#(marker)'; exec sleep 300"}]}
        """#)
        defer { project.cleanUp() }
        let result = project.devctl("start")
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("api not started: dependency 'db' did not start"), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: marker), "api was spawned")
        #expect(project.trackedPIDs["api"] == nil)
    }

    @Test func stopSignalsDependentsBeforeTheirDependencies() throws {
        let order = NSTemporaryDirectory() + "devctl-stop-order-\(UUID().uuidString)"
        defer { unlink(order) }
        let recorder = Fixtures.path("record-stop-order.sh")
        // web and api take half a second to exit after SIGTERM: signalling their dependency only
        // after they are gone is then visible in the times, not just in the order.
        let project = TestProject(#"""
        {"stopTimeout": 10, "services": [
          {"name": "db", "command": ["\#(recorder)", "\#(order)", "db"]},
          {"name": "api", "dependsOn": ["db"], "command": ["\#(recorder)", "\#(order)", "api", "0.5"]},
          {"name": "web", "dependsOn": ["api"], "command": ["\#(recorder)", "\#(order)", "web", "0.5"]},
          {"name": "docs", "command": ["\#(recorder)", "\#(order)", "docs"]}]}
        """#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let result = project.devctl("stop")
        #expect(result.exitCode == 0, "\(result)")
        let lines = ((try? String(contentsOfFile: order, encoding: .utf8)) ?? "").split(separator: "\n")
        var signalled = [String: Double](), exited = [String: Double](), signalOrder = [String]()
        for line in lines {
            let parts = line.split(separator: " ").map(String.init)
            guard parts.count == 3, let time = Double(parts[2]) else {
                Issue.record("unexpected line \(line) in \(lines)")
                continue
            }
            if parts[1] == "signalled" {
                signalled[parts[0]] = time
                signalOrder.append(parts[0])
            } else {
                exited[parts[0]] = time
            }
        }
        #expect(Set(signalOrder) == ["db", "api", "web", "docs"], "\(lines)")
        #expect(Set(exited.keys) == ["db", "api", "web", "docs"], "every service exited on SIGTERM: \(lines)")
        // docs depends on nothing and nothing on it: it may go with any wave. The chain may not.
        #expect(signalOrder.filter { $0 != "docs" } == ["web", "api", "db"], "\(lines)")
        let webExited = try #require(exited["web"], "\(lines)")
        let apiSignalled = try #require(signalled["api"], "\(lines)")
        let apiExited = try #require(exited["api"], "\(lines)")
        let dbSignalled = try #require(signalled["db"], "\(lines)")
        #expect(apiSignalled >= webExited, "api was signalled while web, which depends on it, still ran: \(lines)")
        #expect(dbSignalled >= apiExited, "db was signalled while api, which depends on it, still ran: \(lines)")
        #expect(project.markedProcesses.isEmpty, "\(result)")
    }

    @Test func portTakenBeforeStartIsNotSpawnedAndTheHolderIsNamed() throws {
        let port = FreePort.next()
        let holder = TestProcess(["python3", Self.listen, "\(port)"])
        defer { holder.stop() }
        try #require(TestProcesses.waitUntil(timeout: 60) { KernelPortListeners.processes(on: port).contains(holder.pid) }, "the holder never listened")
        let marker = NSTemporaryDirectory() + "devctl-spawned-\(UUID().uuidString)"
        defer { unlink(marker) }
        let project = TestProject(#"""
        {"services": [{"name": "api", "command": "touch '\#(marker)'; exec sleep 300",
          "healthcheck": {"tcp": \#(port)}}]}
        """#)
        defer { project.cleanUp() }
        let result = project.devctl("start")
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("port \(port) already in use by pid \(holder.pid)"), "\(result)")
        #expect(result.stdout.contains("listen.py"), "the holder's command is named: \(result)")
        #expect(!FileManager.default.fileExists(atPath: marker), "api was spawned")
        #expect(project.trackedPIDs.isEmpty)
        #expect(holder.isAlive)
    }
}
