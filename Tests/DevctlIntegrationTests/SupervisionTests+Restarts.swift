#if canImport(Glibc)
import Glibc
#endif
import DevctlTestSupport
import Foundation
import Testing

/// Restart policies, back-off, giving up, and stops that race restarts (SPEC §1, §5).
extension SupervisionTests {
    @Test(arguments: [("no", 1), ("on-failure", 0)])
    func exitThePolicyDoesNotRestartLeavesTheServiceDeadAndItsKeeperGone(policy: String, code: Int) throws {
        let project = TestProject(shapes: ["svc": .shell(Self.gated("exit \(code)"))],
                                  extra: ["svc": ["restart": policy, "restartDelay": 0.1]])
        defer { project.cleanUp() }
        let start = project.devctl("start")
        try #require(start.exitCode == 0, "\(start)")
        let leader = try #require(project.trackedPIDs["svc"], "\(start)")
        let keeper = try #require(project.keeper(of: leader), "the leader's parent is not a keeper")
        project.touch("go")
        #expect(KernelProcessEntry.waitUntilDead(keeper.pid, timeout: 10), "a keeper that restarts nothing stays")
        let service = try #require(project.statusJSON(of: "svc"))
        #expect(service["state"] as? String == "dead", "\(service)")
        #expect(service["restarts"] as? Int == 0, "\(service)")
        #expect(Self.exit(service)?["code"] as? Int == code, "\(service)")
        let (status, row) = project.statusRow("svc")
        #expect(row?.contains("dead (exit \(code), ") == true, "\(status)")
        #expect(project.runHeaders("svc").count == 1, "\(project.read(".pids/logs/svc.log") ?? "")")
        #expect(project.projectProcesses.isEmpty, "left: \(project.projectProcesses)")
    }

    @Test(arguments: [("on-failure", 1), ("always", 0)])
    func exitThePolicyRestartsRunsTheServiceAgainUnderTheSameKeeper(policy: String, code: Int) throws {
        // Each run waits for the gate, takes it away and exits: the second run waits again.
        let project = TestProject(shapes: ["svc": .shell(Self.gated("rm -f go; exit \(code)"))],
                                  extra: ["svc": ["restart": policy, "restartDelay": 0.1]])
        defer { project.cleanUp() }
        let start = project.devctl("start")
        try #require(start.exitCode == 0, "\(start)")
        let first = try #require(project.trackedPIDs["svc"], "\(start)")
        let keeper = try #require(project.keeper(of: first), "the leader's parent is not a keeper")
        project.touch("go")
        // The keeper names the new leader once the project lock is free.
        var second: Int32?
        TestProcesses.waitUntil(timeout: 20) {
            second = project.trackedPIDs["svc"].flatMap { $0 != first && KernelProcessEntry.isAlive($0) ? $0 : nil }
            return second != nil
        }
        let leader = try #require(second, "not restarted: \(project.read(".pids/services.pids.services") ?? "no tracking")")
        #expect(KernelProcessEntry.isDead(first))
        let process = try #require(KernelProcessEntry(pid: leader))
        #expect(process.parent == keeper.pid, "the new leader's parent is \(process.parent), not the keeper \(keeper.pid)")
        #expect(process.session == leader, "the new leader is not in a session of its own")
        #expect(project.read(".pids/services.pids.services") == "svc:\(leader)\n")
        #expect(TestProcesses.waitUntil {
            project.read(".pids/services.pids") == "\(leader)\n" && project.read(".pids/services.pids.groups") == "\(leader):svc:\(leader)\n"
        }, "the tracking files do not all name the new leader")

        let headers = project.runHeaders("svc")
        #expect(headers.count == 2, "\(project.read(".pids/logs/svc.log") ?? "")")
        #expect(headers.last?.text.hasPrefix("==> devctl restart svc (pid \(leader), restart 1)") == true,
                "\(project.read(".pids/logs/svc.log") ?? "")")
        let service = try #require(project.waitForState("svc", "running"))
        #expect(service["pid"] as? Int == Int(leader))
        #expect(service["restarts"] as? Int == 1, "\(service)")
        // The last exit is still told while the service runs again.
        #expect(Self.exit(service)?["code"] as? Int == code, "\(service)")
    }

    @Test func restartDelayDoublesAfterEachQuickRun() throws {
        let project = TestProject(shapes: ["svc": .shell(Self.gated("exit 1"))],
                                  extra: ["svc": ["restart": "always", "restartDelay": 0.2, "maxRestarts": 3]])
        defer { project.cleanUp() }
        let start = project.devctl("start")
        try #require(start.exitCode == 0, "\(start)")
        project.touch("go")
        try #require(project.waitForState("svc", "failed") != nil, "\(project.devctl("status", "--json"))")
        let log = project.read(".pids/logs/svc.log") ?? ""

        // Each exit note's nominal delay, and the run header that followed it.
        var delays = [Double]()
        var waits = [(exit: StampedLine, delay: Double, next: StampedLine)]()
        var pending: (StampedLine, Double)?
        for line in project.logLines("svc") {
            if line.text.hasPrefix("==> devctl exit svc: "), let match = line.text.firstMatch(of: #/restarting in ([0-9.]+) s/#),
               let delay = Double(match.1) {
                delays.append(delay)
                pending = (line, delay)
            } else if line.text.hasPrefix("==> devctl restart svc "), let announced = pending {
                waits.append((announced.0, announced.1, line))
                pending = nil
            }
        }
        #expect(delays == [0.2, 0.4, 0.8], "\(log)")
        #expect(zip(delays, delays.dropFirst()).allSatisfy { $0 < $1 }, "the delay does not grow: \(delays)")
        #expect(waits.count == 3, "\(log)")
        // Stamps are milliseconds: allow for the rounding of two of them.
        let rounding = 0.002
        for wait in waits {
            let waited = wait.next.date.timeIntervalSince(wait.exit.date)
            #expect(waited >= wait.delay - rounding, "restarted \(waited) s after an exit that announced \(wait.delay) s:\n\(log)")
        }
        let headers = project.runHeaders("svc")
        #expect(headers.count == 4, "\(log)")
        for (index, pair) in zip(headers, headers.dropFirst()).enumerated() where index < delays.count {
            let gap = pair.1.date.timeIntervalSince(pair.0.date)
            #expect(gap >= delays[index] - rounding, "run \(index + 2) began \(gap) s after run \(index + 1), under its delay \(delays[index]) s:\n\(log)")
        }
    }

    @Test func serviceIsFailedAfterMaxRestartsAndItsKeeperLeaves() throws {
        let project = TestProject(shapes: ["svc": .shell(Self.gated("exit 1"))],
                                  extra: ["svc": ["restart": "on-failure", "restartDelay": 0.1, "maxRestarts": 2]])
        defer { project.cleanUp() }
        let start = project.devctl("start")
        try #require(start.exitCode == 0, "\(start)")
        let leader = try #require(project.trackedPIDs["svc"], "\(start)")
        let keeper = try #require(project.keeper(of: leader), "the leader's parent is not a keeper")
        project.touch("go")
        let service = try #require(project.waitForState("svc", "failed"), "\(project.devctl("status", "--json"))")
        #expect(service["restarts"] as? Int == 2, "\(service)")
        #expect(Self.exit(service)?["code"] as? Int == 1, "\(service)")
        let (status, row) = project.statusRow("svc")
        #expect(status.exitCode == 3, "\(status)")
        #expect(row?.contains("failed (exit 1, gave up after 2)") == true, "\(status)")
        // maxRestarts 2: two restarts, three runs.
        #expect(project.runHeaders("svc").count == 3, "\(project.read(".pids/logs/svc.log") ?? "")")
        #expect(KernelProcessEntry.waitUntilDead(keeper.pid, timeout: 3), "the keeper stays after giving up")
        #expect(project.projectProcesses.isEmpty, "left: \(project.projectProcesses)")
    }

    @Test func stopOfAServiceThatKeepsRestartingLeavesNothingAndNothingComesBack() throws {
        // The first run outlasts start's settle; then a run every 0.3 s plus the growing delay.
        let project = TestProject(shapes: ["svc": .shell("if [ -e ran ]; then sleep 0.3; else touch ran; sleep 1; fi")],
                                  extra: ["svc": ["restart": "always", "restartDelay": 0.1, "maxRestarts": 50]])
        defer { project.cleanUp() }
        let start = project.devctl("start")
        try #require(start.exitCode == 0, "\(start)")
        let leader = try #require(project.trackedPIDs["svc"], "\(start)")
        let keeper = try #require(project.keeper(of: leader), "the leader's parent is not a keeper")
        try #require(TestProcesses.waitUntil(timeout: 20) {
            project.runHeaders("svc").filter { $0.text.hasPrefix("==> devctl restart ") }.count >= 2
        }, "it does not restart: \(project.read(".pids/logs/svc.log") ?? "")")

        let stop = project.devctl("stop")
        #expect(stop.exitCode == 0, "\(stop)")
        let runs = project.runHeaders("svc").count
        #expect(KernelProcessEntry.waitUntilDead(keeper.pid, timeout: 3), "the keeper stays after the stop")
        var seen = [pid_t]()
        let quietUntil = Date().addingTimeInterval(2)
        while Date() < quietUntil, seen.isEmpty {
            seen = project.projectProcesses
            usleep(50_000)
        }
        #expect(seen.isEmpty, "after the stop: \(seen.map { "\($0) (\(KernelProcessEntry(pid: $0)?.commandLine ?? "?"))" })")
        #expect(project.runHeaders("svc").count == runs, "a run began after the stop:\n\(project.read(".pids/logs/svc.log") ?? "")")
        #expect(ProjectKeepers.of(project).isEmpty)
        let (status, row) = project.statusRow("svc")
        #expect(row?.contains("stopped") == true, "\(status)")
        #expect(project.statusJSON(of: "svc")?["state"] as? String == "stopped")
    }

    @Test func stopDuringARestartDelayEndsTheKeeperAtOnceAndRestartsNothing() throws {
        let project = TestProject(shapes: ["svc": .shell(Self.gated("exit 1"))],
                                  extra: ["svc": ["restart": "on-failure", "restartDelay": 5]])
        defer { project.cleanUp() }
        let start = project.devctl("start")
        try #require(start.exitCode == 0, "\(start)")
        let leader = try #require(project.trackedPIDs["svc"], "\(start)")
        let keeper = try #require(project.keeper(of: leader), "the leader's parent is not a keeper")
        project.touch("go")
        try #require(project.waitForState("svc", "restarting") != nil, "\(project.devctl("status", "--json"))")

        let stop = project.devctl("stop")
        #expect(stop.exitCode == 0, "\(stop)")
        // Well inside the 5 s delay: nothing is left to wait for.
        #expect(KernelProcessEntry.waitUntilDead(keeper.pid, timeout: 2), "the keeper waits out its restart delay")
        #expect(project.projectProcesses.isEmpty, "left: \(project.projectProcesses)")
        #expect(project.runHeaders("svc").count == 1, "\(project.read(".pids/logs/svc.log") ?? "")")
        #expect(project.statusJSON(of: "svc")?["state"] as? String == "stopped")
    }

    @Test func serviceThatFailsWhileStartWaitsForItsHealthIsRestartedAndStartSucceeds() throws {
        let port = FreePort.next()
        let project = TestProject(shapes: ["web": .shell(Self.failsOnceThenServes(port))],
                                  extra: ["web": ["restart": "on-failure", "restartDelay": 0.1, "healthcheck": ["tcp": port, "timeout": 30]]])
        defer { project.cleanUp() }
        let start = project.devctl("start")
        try #require(start.exitCode == 0, "\(start)")
        let listener = try #require(KernelPortListeners.processes(on: port).first, "nothing listens on \(port)")
        #expect(KernelProcessEntry(pid: listener)?.commandLine.contains("http.server") == true)
        #expect(project.keeper(of: listener) != nil, "the listener's parent is not a keeper")
        #expect(project.runHeaders("web").count == 2, "\(project.read(".pids/logs/web.log") ?? "")")
        // The keeper brings the tracking files up to its restart once start lets go of the lock.
        #expect(TestProcesses.waitUntil { project.trackedPIDs["web"] == listener },
                "tracked: \(project.trackedPIDs), listening: \(listener)")
        let service = project.statusJSON(of: "web")
        #expect(service?["state"] as? String == "running", "\(String(describing: service))")
        #expect(service?["pid"] as? Int == Int(listener), "\(String(describing: service))")
        #expect(service?["restarts"] as? Int == 1, "\(String(describing: service))")
        #expect(Self.exit(service)?["code"] as? Int == 1, "\(String(describing: service))")
    }

    /// A shell command whose first run leaves a flag and exits 1; every later run serves HTTP on `port`.
    static func failsOnceThenServes(_ port: Int) -> String {
        "if [ -e first-ran ]; then exec python3 -m http.server \(port) --bind 127.0.0.1; fi; touch first-ran; exit 1"
    }
}
