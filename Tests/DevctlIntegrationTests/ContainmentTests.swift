import DevctlTestSupport
import Foundation
import Testing

/// Cgroup containment on this machine, judged by what the kernel says (`/proc/PID/cgroup`,
/// `cgroup.procs`, `cgroup.events`) through the test support's own reader. Needs a cgroup2
/// hierarchy devctl may write to (root here); skipped elsewhere.
@Suite(.enabled(if: KernelCgroup.isUsable, "needs a writable cgroup2 hierarchy"))
struct ContainmentTests {
    /// The cgroup path devctl gives `service` of `project`.
    static func cgroupPath(_ project: TestProject, _ service: String) throws -> String {
        let own = try #require(KernelCgroup.path(of: getpid()))
        return (own == "/" ? "" : own) + "/devctl-" + project.marker + "/" + service
    }

    /// Every PID in the project's cgroups now.
    static func members(_ project: TestProject) -> Set<pid_t> {
        guard let folder = project.projectCgroupFolder,
              let services = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return Set(services.flatMap { KernelCgroup.members(ofFolder: folder + "/" + $0) })
    }

    @Test func everyProcessOfAServiceIsInItsCgroupFromItsFirstInstruction() throws {
        // The first instruction forks; then a setsid child, and a double-forked one that left.
        let project = TestProject(#"{"services": [{"name": "tree", "command": "sleep 310 & setsid sleep 311 & (setsid sh -c 'sleep 312 &' &); exec sleep 313"}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let expected = try Self.cgroupPath(project, "tree")
        TestProcesses.waitUntil { project.markedProcesses.count >= 4 }
        let marked = project.markedProcesses
        #expect(marked.count >= 4, "the tree did not grow: \(marked)")
        for pid in marked {
            #expect(KernelCgroup.path(of: pid) == expected, "pid \(pid) (\(KernelProcessEntry(pid: pid)?.commandLine ?? "?")) escaped")
        }
        let (result, services) = try project.statusJSON()
        #expect(result.stdout.contains(#""containment":"cgroup""#), "\(result)")
        #expect(services["tree"]?["cgroup"] as? String == expected, "\(result)")
        #expect(services["tree"]?["processes"] as? Int == marked.count, "\(result)")
    }

    @Test func theEscapeZooEndsWithZeroSurvivors() throws {
        let config = #"""
        {"stopTimeout": 0.5, "services": [
          {"name": "vanisher", "command": "env -i /bin/sh -c 'setsid /bin/sh -c \"cd / && sleep 320 &\" ; sleep 321' & exec sleep 322"},
          {"name": "execenv", "command": "exec env -i sleep 323"},
          {"name": "titled", "command": ["perl", "-e", "$0 = 'titled ' x 400; sleep 324"]},
          {"name": "hopper", "command": ["python3", "\#(Fixtures.path("hop-sessions.py"))"]},
          {"name": "storm", "command": "for i in $(seq 150); do sleep 325 & done; wait"},
          {"name": "stopped", "command": "(sh -c 'kill -STOP $$; sleep 326' &); exec sleep 327"},
          {"name": "deaf", "command": ["\#(Fixtures.path("ignore-term.sh"))"]}]}
        """#
        let project = TestProject(config)
        defer { project.cleanUp() }
        let start = project.devctl("start")
        #expect(start.exitCode == 0, "\(start)")
        TestProcesses.waitUntil { Self.members(project).count >= 160 }
        let before = Self.members(project)
        #expect(before.count >= 160, "the zoo did not start: \(before.count) processes")
        let stop = project.devctl("stop")
        #expect(stop.exitCode == 0, "\(stop)")
        #expect(stop.stdout.contains("✓  no process left"), "\(stop)")
        for pid in before { #expect(KernelProcessEntry.waitUntilDead(pid), "pid \(pid) survived") }
        #expect(!FileManager.default.fileExists(atPath: project.projectCgroupFolder ?? "/"), "the project's cgroups were left")
    }

    @Test func pauseFreezesAForkingLoopThatCannotOutrunIt() throws {
        let project = TestProject(#"{"services": [{"name": "forker", "command": "while true; do sleep 30 & sleep 0.01; done"}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        TestProcesses.waitUntil { Self.members(project).count > 10 }
        #expect(project.devctl("pause", "forker").exitCode == 0)
        let frozen = Self.members(project)
        for pid in frozen { #expect(KernelCgroup.isFrozen(pid), "pid \(pid) runs on") }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(Self.members(project) == frozen, "the loop forked while paused")
        let status = project.devctl("status", "forker")
        #expect(status.stdout.contains(" paused "), "\(status)")
        #expect(project.devctl("resume", "forker").exitCode == 0)
        TestProcesses.waitUntil { Self.members(project) != frozen }
        #expect(Self.members(project) != frozen, "resume did not thaw it")
        #expect(project.devctl("stop").exitCode == 0)
    }

    @Test func aLaterDevctlWithoutPidsFindsAndRemovesTheProjectsCgroups() throws {
        let project = TestProject(#"{"services": [{"name": "hidden", "command": "env -i setsid sh -c 'cd / && sleep 330' & exec sleep 331"}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        TestProcesses.waitUntil { Self.members(project).count == 3 }
        let before = Self.members(project)
        try #require(before.count == 3, "the service is not in its cgroup: \(before)")
        try FileManager.default.removeItem(atPath: project.root + "/.pids")
        let stop = DevctlRunner.run(["-f", project.root + "/services.json", "stop"], directory: "/", environment: project.environment)
        #expect(stop.exitCode == 0, "\(stop)")
        for pid in before { #expect(KernelProcessEntry.waitUntilDead(pid), "pid \(pid) survived") }
        #expect(!FileManager.default.fileExists(atPath: project.projectCgroupFolder ?? "/"))
    }

    @Test func aDecoyCgroupBesideTheProjectsIsLeftAsItWas() throws {
        let project = TestProject(#"{"services": [{"name": "web", "command": ["sleep", "340"]}]}"#)
        defer { project.cleanUp() }
        let ownPath = try #require(KernelCgroup.path(of: getpid()))
        let own = try #require(KernelCgroup.folder(of: ownPath))
        let decoy = own + "/devctl-decoy-" + project.testID
        try FileManager.default.createDirectory(atPath: decoy, withIntermediateDirectories: false)
        defer { TestCgroups.remove(decoy) }
        var environment = ProcessInfo.processInfo.environment
        environment["DEVCTL_TEST_ID"] = project.testID
        let bystander = TestProcess(["sleep", "341"], environment: environment)
        defer { bystander.stop() }
        try "\(bystander.pid)".write(toFile: decoy + "/cgroup.procs", atomically: false, encoding: .utf8)

        #expect(project.devctl("start").exitCode == 0)
        #expect(project.devctl("stop").exitCode == 0)
        #expect(bystander.isAlive, "a process in another cgroup was killed")
        #expect(KernelCgroup.members(ofFolder: decoy) == [bystander.pid])
    }

    @Test func sessionContainmentMakesNoCgroup() throws {
        let project = TestProject(#"{"containment": "session", "services": [{"name": "plain", "command": ["sleep", "350"]}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let pid = try #require(project.trackedPIDs["plain"])
        #expect(KernelCgroup.path(of: pid) == KernelCgroup.path(of: getpid()))
        #expect(!FileManager.default.fileExists(atPath: project.projectCgroupFolder ?? "/"))
        let status = project.devctl("status")
        #expect(status.stdout.contains("containment: session (services.json sets \"containment\": \"session\")"), "\(status)")
        let ignored = try #require(KernelProcessStatus(pid: pid)).ignoredSignals
        #expect(ignored == 0, "SigIgn: \(String(ignored, radix: 16))")
    }
}
