import DevctlTestSupport
import Foundation
import Testing

/// The ownership rules of the orphan sweep where sessions are all devctl has (`"containment":
/// "session"`): what a real stack does to them, and what must never be touched.
@Suite struct OwnershipRuleTests {
    @Test func aChildLeftInADeadLeadersSessionIsStoppedWhateverItsEnvironment() throws {
        // The child clears its environment; then the leader dies, and with it the live proof of
        // the group — but the recorded session and group are still the service's.
        let project = TestProject(#"{"containment": "session", "services": [{"name": "parent", "command": "env -i sleep 371 & sleep 0.5; kill -9 $$"}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        // Without its keeper the child is not reparented to anything of the service's: only the
        // recorded session proves it.
        try project.killKeeper(of: "parent")
        let leader = try #require(project.trackedPIDs["parent"])
        #expect(KernelProcessEntry.waitUntilDead(leader, timeout: 5))
        let child = try #require(KernelProcessEntry.all().first { $0.session == leader && !$0.isDead && $0.commandLine == "sleep 371" })
        #expect(KernelProcessEntry.environment(of: child.pid)?["DEVCTL_PROJECT"] == nil)
        let stop = project.devctl("stop")
        #expect(stop.exitCode == 0, "\(stop)")
        #expect(KernelProcessEntry.waitUntilDead(child.pid), "the child in the dead leader's session survived\n\(stop)")
        #expect(stop.stdout.contains("in the session of a tracked service (sid \(leader))"), "\(stop)")
    }

    @Test func aChildThatKeepsChangingItsSessionCannotOutrunTheSweep() throws {
        let project = TestProject(#"{"containment": "session", "services": [{"name": "hopper", "command": "python3 '\#(Fixtures.path("hop-sessions.py"))' & exec sleep 372"}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        for attempt in 1...3 {
            TestProcesses.waitUntil { project.markedProcesses.count >= 2 }
            let stop = project.devctl("stop")
            #expect(stop.exitCode == 0, "stop \(attempt): \(stop)")
            #expect(TestProcesses.waitUntil(timeout: 2) { project.markedProcesses.isEmpty },
                    "stop \(attempt) left \(project.markedProcesses.map { KernelProcessEntry(pid: $0)?.commandLine ?? "?" })")
            if attempt < 3 { #expect(project.devctl("start").exitCode == 0) }
        }
    }

    @Test func aPatternNeverTakesAPersonsProcessAtATerminalNorANestedProjectsService() throws {
        guard PseudoTerminal.isAvailable else { try Test.cancel("needs util-linux script for a terminal") }
        let tag = "vitest-\(UUID().uuidString.prefix(8).lowercased())"
        let project = TestProject(#"{"containment": "session", "orphanPatterns": ["\#(tag)"], "services": [{"name": "idle", "command": ["sleep", "373"]}]}"#,
                                  files: ["\(tag).py": "import time\ntime.sleep(300)\n",
                                          "nested/services.json": #"{"services": [{"name": "ui", "command": ["python3", "../\#(tag).py"]}]}"#])
        defer { project.cleanUp() }
        var environment = ProcessInfo.processInfo.environment
        environment["DEVCTL_TEST_ID"] = project.testID
        environment["DEVCTL_TAGGED"] = project.root + "/\(tag).py"
        // A person's process at a terminal in the project folder; the tag is in its argv only.
        let person = TestProcess(["/usr/bin/script", "-qec", "exec python3 \"$DEVCTL_TAGGED\"", "/dev/null"],
                                 directory: project.root, environment: environment)
        defer { person.stop() }
        let nested = DevctlRunner.run(["start"], directory: project.root + "/nested", environment: project.environment)
        #expect(nested.exitCode == 0, "\(nested)")
        defer { _ = DevctlRunner.run(["stop"], directory: project.root + "/nested", environment: project.environment) }
        TestProcesses.waitUntil { KernelProcessEntry.all().filter { $0.commandLine.contains(tag) && !$0.isDead }.count == 2 }
        let tagged = KernelProcessEntry.all().filter { $0.commandLine.contains(tag) && !$0.isDead }
        #expect(tagged.count == 2, "\(tagged.map(\.commandLine))")

        #expect(project.devctl("start").exitCode == 0)
        let stop = project.devctl("stop")
        #expect(stop.exitCode == 0, "\(stop)")
        for process in tagged { #expect(KernelProcessEntry.isAlive(process.pid), "\(process.commandLine) was killed\n\(stop)") }
    }

    @Test(.enabled(if: geteuid() == 0, "needs root to run devctl as an ordinary user"))
    func aNonDumpableServiceOfAnOrdinaryUserIsTheirsAndIsStopped() throws {
        // ssh-agent and gpg-agent do this: their /proc files then belong to root.
        let user = try TestUser.named("devctl-ci")
        let project = TestProject(#"{"containment": "session", "services": [{"name": "agent", "command": ["python3", "-c", "import ctypes, time; ctypes.CDLL(None).prctl(4, 0, 0, 0, 0); time.sleep(374)"]}]}"#)
        defer { project.cleanUp() }
        user.own(project.root, project.root + "/services.json")
        #expect(user.devctl(["start"], project: project).exitCode == 0)
        let pid = try #require(project.trackedPIDs["agent"])
        #expect(TestProcesses.waitUntil {
            var info = stat()
            return stat("/proc/\(pid)/environ", &info) == 0 && info.st_uid == 0
        },
                "the service did not become non-dumpable, so this test proves nothing")
        let status = user.devctl(["status"], project: project)
        #expect(status.exitCode == 0, "\(status)")
        #expect(!status.stderr.contains("another user"), "\(status)")
        let stop = user.devctl(["stop"], project: project)
        #expect(stop.exitCode == 0, "\(stop)")
        #expect(KernelProcessEntry.waitUntilDead(pid), "the non-dumpable service survived\n\(stop)")
    }
}
