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

/// devctl SIGKILLed at any instant of `start` or `stop`: afterwards `status` tells the truth, a
/// new `start` runs each service exactly once, and `stop` removes every process and exits 0.
@Suite struct CrashTests {
    /// `status --json` against what `/proc` says: a service shown running is the one live leader
    /// of that service; a service shown stopped or dead has none.
    static func expectStatusTellsTheTruth(_ project: TestProject, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (result, services) = try project.statusJSON()
        let leaders = project.liveLeaders
        #expect(!services.isEmpty, "\(result)", sourceLocation: sourceLocation)
        for (name, service) in services {
            let state = service["state"] as? String ?? "?"
            let live = leaders[name] ?? []
            if state == "running" || state == "paused" {
                #expect(live.count == 1 && service["pid"] as? Int == live.first.map(Int.init),
                        "\(name) shown \(state) as pid \(service["pid"] ?? "-"), live leaders \(live)\n\(result)",
                        sourceLocation: sourceLocation)
            } else {
                #expect(live.isEmpty, "\(name) shown \(state) but runs as \(live)\n\(result)", sourceLocation: sourceLocation)
            }
        }
    }

    /// After the crash: the truth from status, then start completes the set without duplicates,
    /// then stop leaves nothing.
    static func expectRecovery(_ project: TestProject, services count: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try expectStatusTellsTheTruth(project, sourceLocation: sourceLocation)
        let start = project.devctl("start")
        #expect(start.exitCode == 0, "\(start)", sourceLocation: sourceLocation)
        let leaders = project.liveLeaders
        #expect(leaders.count == count, "\(leaders)", sourceLocation: sourceLocation)
        for (name, pids) in leaders { #expect(pids.count == 1, "\(name) runs as \(pids)", sourceLocation: sourceLocation) }
        #expect(project.trackedPIDs == leaders.compactMapValues(\.first), sourceLocation: sourceLocation)
        let stop = project.devctl("stop")
        #expect(stop.exitCode == 0, "\(stop)", sourceLocation: sourceLocation)
        #expect(project.markedProcesses.isEmpty, sourceLocation: sourceLocation)
    }

    static func kill9(_ launched: (pid: Int32, out: String, err: String), began: Date = Date()) -> RunResult {
        kill(launched.pid, SIGKILL)
        return DevctlRunner.finish(launched, began: began)
    }

    @Test(arguments: [0, 2_000, 8_000, 25_000])
    func killedWhileSpawningManyServices(delayMicroseconds: Int) throws {
        let project = TestProject(Fixtures.sleepers(30))
        defer { project.cleanUp() }
        let launched = DevctlRunner.launch(["start"], directory: project.root, environment: project.environment)
        let identity = project.root + "/.pids/services.pids.identity"
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: identity), Date() < deadline { usleep(200) }
        usleep(useconds_t(delayMicroseconds))
        let killed = Self.kill9(launched)
        #expect(killed.exitCode == 128 + SIGKILL, "\(killed)")
        try Self.expectRecovery(project, services: 30)
    }

    @Test func killedWhileWaitingForHealth() throws {
        let project = TestProject(#"""
        {"services": [{"name": "slow", "command": ["sleep", "300"], "healthcheck": {"command": "false", "timeout": 60}},
                      {"name": "after", "command": ["sleep", "300"], "dependsOn": ["slow"]}]}
        """#)
        defer { project.cleanUp() }
        let launched = DevctlRunner.launch(["start"], directory: project.root, environment: project.environment)
        #expect(LaunchedOutput.wait(launched, for: "slow waiting for"))
        _ = Self.kill9(launched)
        try Self.expectStatusTellsTheTruth(project)
        let (_, services) = try project.statusJSON()
        #expect(services["slow"]?["state"] as? String == "running")
        #expect((services["slow"]?["health"] as? String)?.hasPrefix("unhealthy") == true)
        #expect(services["after"]?["state"] as? String == "stopped")
        let stop = project.devctl("stop")
        #expect(stop.exitCode == 0, "\(stop)")
        #expect(project.markedProcesses.isEmpty)
    }

    /// Phase 1 lasts the stubborn service's stopTimeout (1 s), phase 3 the orphan grace (0.5 s):
    /// the delays land in each phase and between them.
    @Test(arguments: [0.05, 0.4, 0.9, 1.3, 1.8])
    func killedDuringStop(afterSeconds delay: Double) throws {
        let pidFile = NSTemporaryDirectory() + "devctl-crash-daemon-\(UUID().uuidString)"
        defer { unlink(pidFile) }
        let project = TestProject(shapes: ["stubborn": .ignoresTerm, "daemon": .escapes(pidFile: pidFile), "tree": .tree],
                                  stopTimeout: 1)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        #expect(TestProcesses.waitUntil { FileManager.default.fileExists(atPath: pidFile) })
        let began = Date()
        let launched = DevctlRunner.launch(["stop"], directory: project.root, environment: project.environment)
        usleep(useconds_t(delay * 1_000_000))
        let killed = Self.kill9(launched, began: began)
        // The crash this case is about happened only if the SIGKILL found the stop still running.
        #expect(killed.exitCode == 128 + SIGKILL || killed.exitCode == 0, "\(killed)")
        let landed = killed.exitCode == 128 + SIGKILL
        try Self.expectStatusTellsTheTruth(project)
        let stop = project.devctl("stop", "--timeout", "0.5")
        #expect(stop.exitCode == 0, "first stop: \(killed)\nsecond stop: \(stop)")
        #expect(project.markedProcesses.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: project.root + "/.pids/services.pids.identity"))
        if !landed {
            try Test.cancel("the stop had already exited 0 when the SIGKILL came at \(delay) s: no crash was tested at this delay")
        }
    }

    @Test func serviceSpawnedButNotRecordedIsRecognisedAndAdopted() throws {
        let project = TestProject(Fixtures.sleepers(2))
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let before = project.trackedPIDs
        // What a SIGKILL between posix_spawn and the rename of the identity file leaves: s2 runs,
        // carrying the project's marker, but the files name only s1.
        let s1 = try #require(before["s1"])
        let start = try #require(KernelProcessEntry(pid: s1)?.startTime)
        project.write(".pids/services.pids.identity", "s1:\(s1):\(s1):\(start)\n")
        for file in ["services.pids", "services.pids.services", "services.pids.groups"] { unlink(project.root + "/.pids/" + file) }
        let s2 = try #require(before["s2"])
        let status = project.devctl("status")
        #expect(status.exitCode == 0, "\(status)")
        #expect(status.stderr.contains("s2 (pid \(s2)) is running; recognised by its DEVCTL_PROJECT marker"), "\(status)")
        let again = project.devctl("start")
        #expect(again.exitCode == 0, "\(again)")
        #expect(project.trackedPIDs == before, "start must adopt s2, not run it twice")
        #expect(project.liveLeaders.mapValues(\.count) == ["s1": 1, "s2": 1])
    }

    @Test func staleTemporaryFilesFromAKilledWriterAreIgnoredThenRemoved() throws {
        let project = TestProject(Fixtures.sleepers(2))
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let gone = try TestProcesses.reapedPID()
        let stale = [".pids/services.pids.identity.tmp.\(gone)", ".pids/services.pids.groups.tmp.\(gone)"]
        for path in stale { project.write(path, "s1:99999:99999:1\ns2:4") }
        try Self.expectStatusTellsTheTruth(project)
        let status = project.devctl("status")
        #expect(status.exitCode == 0 && status.stderr.isEmpty, "\(status)")
        let stop = project.devctl("stop")
        #expect(stop.exitCode == 0, "\(stop)")
        for path in stale { #expect(project.read(path) == nil, "\(path) left behind") }
    }

    @Test func legacyFilesLeftBehindByAKilledWriterAreRewrittenByTheNextCommand() throws {
        let project = TestProject(Fixtures.sleepers(3))
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let pids = try #require(project.read(".pids/services.pids"))
        let services = try #require(project.read(".pids/services.pids.services"))
        // Killed after renaming the identity file, before the three legacy files: they still say
        // what they said before the last service started.
        for file in ["services.pids", "services.pids.services", "services.pids.groups"] {
            let path = ".pids/" + file
            let lines = try #require(project.read(path), "\(path) missing after start").split(separator: "\n").dropLast()
            project.write(path, lines.map { $0 + "\n" }.joined())
        }
        let again = project.devctl("start")
        #expect(again.exitCode == 0, "\(again)")
        #expect(project.read(".pids/services.pids") == pids)
        #expect(project.read(".pids/services.pids.services") == services)
    }
}
