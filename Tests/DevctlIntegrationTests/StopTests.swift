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

/// The five-phase `devctl stop` on real process trees: what is gone, what survives, and what the
/// account says.
@Suite struct StopTests {
    /// The live PIDs of a service's whole tree (leader, descendants, session members).
    static func tree(of pid: Int32) -> [Int32] {
        KernelProcessEntry.tree(of: pid).map(\.pid)
    }

    @Test func stopEndsPlainServicesGracefullyAndClearsTracking() throws {
        let project = TestProject(#"{"services": [{"name": "a", "command": ["sleep", "300"]}, {"name": "b", "command": "sleep 300"}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let pids = project.trackedPIDs
        let result = project.devctl("stop")
        #expect(result.exitCode == 0, "\(result)")
        for pid in pids.values { #expect(!KernelProcessEntry.isAlive(pid)) }
        for phase in 1...5 { #expect(result.stdout.contains("[\(phase)/5]")) }
        #expect(result.stdout.contains("2 stopped gracefully"))
        #expect(result.stdout.contains("no process left"))
        #expect(project.read(".pids/services.pids") == nil)
        #expect(project.read(".pids/logs/a.log") != nil, "logs are kept")
        #expect(project.read(".pids/events.log")?.contains(#""event":"signal""#) == true)
    }

    @Test func stopEndsChildrenAndGrandchildren() throws {
        let project = TestProject(#"{"services": [{"name": "tree", "command": ["\#(Fixtures.path("tree.sh"))"]}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let leader = try #require(project.trackedPIDs["tree"])
        TestProcesses.waitUntil { Self.tree(of: leader).count >= 4 }
        let members = Self.tree(of: leader)
        #expect(members.count >= 4, "tree: \(members)")
        let result = project.devctl("stop")
        #expect(result.exitCode == 0, "\(result)")
        for pid in members { #expect(!KernelProcessEntry.isAlive(pid), "pid \(pid) survived") }
    }

    /// Without cgroups, the marker is what finds a daemon that left the service's session.
    @Test func stopSweepsADoubleForkedSetsidDaemon() throws {
        let pidFile = NSTemporaryDirectory() + "devctl-daemon-\(UUID().uuidString)"
        defer { unlink(pidFile) }
        let project = TestProject(#"{"containment": "session", "services": [{"name": "spawner", "command": ["python3", "\#(Fixtures.path("escape.py"))", "\#(pidFile)"]}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        // Without its keeper (which would have been handed the daemon as an orphan), only the
        // marker the daemon kept proves it.
        try project.killKeeper(of: "spawner")
        TestProcesses.waitUntil { FileManager.default.fileExists(atPath: pidFile) }
        let daemon = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        let process = try #require(KernelProcessEntry(pid: daemon))
        #expect(process.session != project.trackedPIDs["spawner"], "the daemon left the service's session")
        #expect(process.parent != project.trackedPIDs["spawner"])
        let result = project.devctl("stop")
        #expect(result.exitCode == 0, "\(result)")
        #expect(!KernelProcessEntry.isAlive(daemon))
        #expect(result.stdout.contains("killed pid \(daemon)"), "\(result)")
        #expect(result.stdout.contains("DEVCTL_PROJECT"))
    }

    @Test func serviceIgnoringSIGTERMIsForcedAfterItsTimeout() throws {
        let project = TestProject(#"{"stopTimeout": 0.5, "services": [{"name": "stubborn", "command": ["\#(Fixtures.path("ignore-term.sh"))"]}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let leader = try #require(project.trackedPIDs["stubborn"])
        // The leader and the child it forks both ignore SIGTERM: take the list once both exist.
        try #require(TestProcesses.waitUntil { Self.tree(of: leader).count >= 2 }, "tree: \(Self.tree(of: leader))")
        let members = Self.tree(of: leader)
        let (result, json) = try project.stopJSON()
        #expect(result.exitCode == 0, "\(result)")
        #expect(StopReport.outcome(json, "stubborn") == "forced")
        let service = (json["services"] as? [[String: Any]])?.first
        #expect(service?["signal"] as? String == "SIGKILL")
        #expect((service?["ms"] as? Int ?? 0) >= 500, "killed before its stopTimeout")
        for pid in members { #expect(!KernelProcessEntry.isAlive(pid)) }
        #expect(project.markedProcesses.isEmpty, "\(result)")
    }

    @Test func serviceThatNeedsHalfASecondExitsCleanlyWithoutSIGKILL() throws {
        let marker = NSTemporaryDirectory() + "devctl-clean-\(UUID().uuidString)"
        defer { unlink(marker) }
        let project = TestProject(#"{"stopTimeout": 5, "services": [{"name": "slow", "command": ["\#(Fixtures.path("slow-exit.sh"))", "\#(marker)"]}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let (result, json) = try project.stopJSON()
        #expect(result.exitCode == 0, "\(result)")
        #expect(StopReport.outcome(json, "slow") == "graceful")
        #expect((try? String(contentsOfFile: marker, encoding: .utf8)) == "clean\n")
    }

    @Test func forceKillsAtOnceWithoutWaitingForTheTimeout() throws {
        let project = TestProject(#"{"stopTimeout": 30, "services": [{"name": "stubborn", "command": ["\#(Fixtures.path("ignore-term.sh"))"]}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let pid = try #require(project.trackedPIDs["stubborn"])
        let (result, json) = try project.stopJSON("--force")
        #expect(result.exitCode == 0, "\(result)")
        #expect(StopReport.outcome(json, "stubborn") == "forced")
        let service = (json["services"] as? [[String: Any]])?.first
        #expect(service?["signal"] as? String == "SIGKILL", "\(result)")
        // Well under the 30 s stopTimeout, with room for a loaded machine.
        #expect((service?["ms"] as? Int ?? .max) < 10_000, "--force waited for the stopTimeout: \(result)")
        #expect((json["ms"] as? Int ?? .max) < 10_000, "--force waited for the stopTimeout: \(result)")
        #expect(!KernelProcessEntry.isAlive(pid))
        #expect(project.markedProcesses.isEmpty, "\(result)")
    }

    @Test func stoppingOneServiceLeavesTheOthersRunningAndTracked() throws {
        let project = TestProject(#"{"services": [{"name": "api", "command": ["sleep", "300"]}, {"name": "worker", "command": ["sleep", "301"]}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let api = try #require(project.trackedPIDs["api"])
        let worker = try #require(project.trackedPIDs["worker"])
        let result = project.devctl("stop", "api")
        #expect(result.exitCode == 0, "\(result)")
        #expect(!KernelProcessEntry.isAlive(api))
        #expect(KernelProcessEntry.isAlive(worker))
        #expect(project.trackedPIDs == ["worker": worker])
        #expect(result.stdout.contains("stopping named services only"))
    }

    @Test func configuredStopSignalIsTheOneThatArrives() throws {
        let record = NSTemporaryDirectory() + "devctl-signal-\(UUID().uuidString)"
        defer { unlink(record) }
        let project = TestProject(#"{"services": [{"name": "int", "stopSignal": "INT", "command": ["\#(Fixtures.path("record-signal.sh"))", "\#(record)"]}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let (result, json) = try project.stopJSON()
        #expect(result.exitCode == 0, "\(result)")
        #expect((try? String(contentsOfFile: record, encoding: .utf8)) == "INT\n")
        #expect((json["services"] as? [[String: Any]])?.first?["signal"] as? String == "SIGINT")
    }

    @Test func pausedServiceStillStopsGracefully() throws {
        let project = TestProject(#"{"stopTimeout": 5, "services": [{"name": "frozen", "command": "sleep 300 & wait"}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let pid = try #require(project.trackedPIDs["frozen"])
        kill(-pid, SIGSTOP)
        try #require(TestProcesses.waitUntil { KernelProcessEntry(pid: pid)?.state == "T" }, "the service never stopped")
        let (result, json) = try project.stopJSON()
        #expect(result.exitCode == 0, "\(result)")
        #expect(StopReport.outcome(json, "frozen") == "graceful")
        #expect(!KernelProcessEntry.isAlive(pid))
        #expect(project.markedProcesses.isEmpty, "\(result)")
    }

    @Test(arguments: ["deleted", "garbage"])
    func stopFindsEverythingWithoutUsableTrackingFiles(damage: String) throws {
        let project = TestProject(#"{"services": [{"name": "tree", "command": ["\#(Fixtures.path("tree.sh"))"]}, {"name": "plain", "command": ["sleep", "300"]}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        try #require(TestProcesses.waitUntil { project.markedProcesses.count >= 5 }, "\(project.markedProcesses)")
        let processes = project.markedProcesses
        #expect(processes.count >= 5, "\(processes)")
        for file in ["services.pids", "services.pids.services", "services.pids.groups", "services.pids.identity"] {
            if damage == "deleted" {
                unlink(project.root + "/.pids/" + file)
            } else {
                project.write(".pids/" + file, "garbage\n:::\n\u{1}\u{2}not a pid\n")
            }
        }
        let result = project.devctl("stop")
        #expect(result.exitCode == 0, "\(result)")
        for pid in processes { #expect(!KernelProcessEntry.isAlive(pid), "pid \(pid) survived") }
        #expect(project.markedProcesses.isEmpty, "\(result)")
    }

    @Test func orphanPatternKillsOnlyProcessesInsideTheProjectFolder() throws {
        let tag = "devctl-decoy-\(UUID().uuidString.prefix(8))"
        let project = TestProject(#"{"orphanPatterns": ["\#(tag)"], "services": [{"name": "idle", "command": ["sleep", "300"]}]}"#)
        defer { project.cleanUp() }
        // Neither decoy carries the project's marker: only the pattern and the folder decide.
        var clean = ProcessInfo.processInfo.environment
        clean["DEVCTL_TEST_ID"] = project.testID
        let inside = TestProcess(["python3", "-c", "import time; time.sleep(300)", tag], directory: project.root, environment: clean)
        let outside = TestProcess(["python3", "-c", "import time; time.sleep(300)", tag], directory: "/tmp", environment: clean)
        defer { inside.stop(); outside.stop() }
        #expect(project.devctl("start").exitCode == 0)
        let result = project.devctl("stop")
        #expect(result.exitCode == 0, "\(result)")
        #expect(!inside.isAlive, "the decoy inside the project survived")
        #expect(outside.isAlive, "the decoy outside the project was killed")
        #expect(result.stdout.contains("matches orphanPatterns"))
    }

    @Test func anotherProjectsServicesSurvive() throws {
        let config = #"{"project": "same-name", "services": [{"name": "api", "command": ["sleep", "300"]}]}"#
        let first = TestProject(config)
        let second = TestProject(config)
        defer { first.cleanUp(); second.cleanUp() }
        #expect(first.devctl("start").exitCode == 0)
        #expect(second.devctl("start").exitCode == 0)
        let survivor = try #require(second.trackedPIDs["api"])
        #expect(first.devctl("stop").exitCode == 0)
        #expect(KernelProcessEntry.isAlive(survivor))
        #expect(second.trackedPIDs["api"] == survivor)
    }

    /// A recorded leader is believed on its identity only while it leads its own session, as
    /// devctl spawns every service; anything else must carry the project's marker.
    @Test func processWrittenIntoTrackingButNotStartedByDevctlSurvives() throws {
        let project = TestProject(#"{"services": [{"name": "api", "command": ["sleep", "300"]}]}"#)
        defer { project.cleanUp() }
        var environment = ProcessInfo.processInfo.environment
        environment["DEVCTL_TEST_ID"] = project.testID
        let stranger = TestProcess(["sleep", "300"], environment: environment, sessionLeader: false)
        defer { stranger.stop() }
        let start = try #require(KernelProcessEntry(pid: stranger.pid)?.startTime)
        project.write(".pids/services.pids.identity", "api:\(stranger.pid):\(stranger.pid):\(start)\n")
        project.write(".pids/services.pids.services", "api:\(stranger.pid)\n")
        let result = project.devctl("stop")
        #expect(result.exitCode == 0, "\(result)")
        #expect(stranger.isAlive, "devctl killed a process it did not start")
        #expect(result.stderr.contains("ignoring tracking entry api:\(stranger.pid)"), "\(result)")
    }

    @Test func stopOfANeverStartedProjectSucceeds() {
        let project = TestProject(#"{"services": [{"name": "api", "command": ["sleep", "300"]}]}"#)
        defer { project.cleanUp() }
        let result = project.devctl("stop")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("0 straggler"))
    }

    /// A port held by a process that is not the project's is the user's to deal with: named as
    /// a warning, never killed, and not a reason to fail the stop.
    @Test func verificationNamesAForeignProcessStillHoldingAServicePort() throws {
        let port = FreePort.next()
        let project = TestProject(#"{"services": [{"name": "api", "command": ["sleep", "300"], "healthcheck": {"command": "true"}}, {"name": "db", "command": ["sleep", "300"], "healthcheck": {"tcp": \#(port), "timeout": 0.5}}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start", "api").exitCode == 0)
        let holder = TestProcess(["python3", "-c", "import socket,time; s=socket.socket(); s.bind(('127.0.0.1', \(port))); s.listen(); time.sleep(300)"])
        defer { holder.stop() }
        TestProcesses.waitUntil { KernelPortListeners.processes(on: port).contains(holder.pid) }
        let (result, json) = try project.stopJSON()
        #expect(result.exitCode == 0, "\(result)")
        #expect((json["stragglers"] as? [[String: Any]])?.isEmpty == true, "\(result)")
        #expect(result.stderr.contains("warning: port \(port) is held by pid \(holder.pid): "), "\(result)")
        #expect(result.stderr.contains("which is not this project's"), "\(result)")
        #expect(holder.isAlive, "verification must name the holder, not kill it")
    }

    @Test func ctrlCDuringStartStopsWhatThatStartSpawned() throws {
        let project = TestProject(#"{"services": [{"name": "fast", "command": ["sleep", "300"]}, {"name": "slow", "command": ["sleep", "301"], "dependsOn": ["fast"], "healthcheck": {"command": "false", "timeout": 60}}]}"#)
        defer { project.cleanUp() }
        let began = Date()
        let launched = DevctlRunner.launch(["start"], directory: project.root, environment: project.environment)
        TestProcesses.waitUntil { project.trackedPIDs.count == 2 }
        let spawned = project.trackedPIDs
        kill(launched.pid, SIGINT)
        let result = DevctlRunner.finish(launched, began: began)
        #expect(result.exitCode != 0)
        #expect(spawned.count == 2)
        for pid in spawned.values { #expect(!KernelProcessEntry.isAlive(pid), "\(result)") }
        #expect(result.stdout.contains("interrupted"))
    }

    @Test func ctrlCBeforeStartSpawnedAnythingLeavesRunningServicesAlone() throws {
        // 'api' never turns healthy, so a second start waits on it before spawning 'web'.
        let project = TestProject(#"{"services": [{"name": "api", "command": ["sleep", "300"], "healthcheck": {"command": "false", "timeout": 60}}, {"name": "web", "command": ["sleep", "301"], "dependsOn": ["api"]}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start", "api", "--no-wait").exitCode == 0)
        let api = try #require(project.trackedPIDs["api"])
        let began = Date()
        let launched = DevctlRunner.launch(["start"], directory: project.root, environment: project.environment)
        #expect(LaunchedOutput.wait(launched, for: "already running"))
        kill(launched.pid, SIGINT)
        let result = DevctlRunner.finish(launched, began: began)
        #expect(result.stdout.contains("already running"), "\(result)")
        #expect(KernelProcessEntry.isAlive(api), "Ctrl-C stopped a service that start had not spawned: \(result)")
        #expect(project.trackedPIDs["web"] == nil)
    }
}
