import DevctlProcesses
import DevctlSystem

/// Phase 2: SIGKILL to what outlived its grace, then scan and kill again until a pass finds
/// nothing new alive, so a service forking while it is being killed cannot win.
enum ForcePhase {
    static func kill(_ pending: [PendingTarget], run: inout StopRun) -> [ServiceStopResult] {
        var killed = Set<ProcessIdentity>()
        for item in pending {
            let target = item.target
            killCgroups(of: target, run: &run)
            GracefulPhase.signal(target, with: .kill, run: &run)
            killed.formUnion(target.processes.map(\.identity))
            run.emit(.forced(name: target.name, processes: target.processes.count))
            run.project.events.record("signal", service: target.name, pid: target.leader?.pid, signal: .kill, outcome: "forced")
        }
        // Bounded: each pass either finds new processes to kill or ends the loop.
        for _ in 0..<20 {
            waitGone(killed, upTo: 1, run: &run)
            let snapshot: ProcessSnapshot
            do {
                snapshot = try ProcessSnapshot.scan()
            } catch {
                run.fail(StopFailure(service: nil, detail: "cannot look for processes forked during the kill: \(error)"))
                break
            }
            let fresh = pending.flatMap { survivors(of: $0.target, in: snapshot) }
                .filter { !killed.contains($0.identity) }
            if fresh.isEmpty { break }
            for process in fresh {
                do {
                    try SafeSignal.send(.kill, to: process.identity)
                } catch {
                    run.fail(StopFailure(service: nil, detail: "\(error)"))
                }
            }
            killed.formUnion(fresh.map(\.identity))
        }
        return pending.map { item in
            ServiceStopResult(name: item.target.name, pid: item.target.leader?.pid, outcome: .forced, signal: .kill,
                              milliseconds: Shutdown.milliseconds(since: item.signalledAt), note: nil)
        }
    }

    /// `cgroup.kill` on each of the target's cgroups — every member at once, a tree forking
    /// during the kill included — then a wait for the kernel's "empty". Where the kernel has no
    /// `cgroup.kill`, the members get SIGKILL one by one, and the rescans below repeat it.
    private static func killCgroups(of target: StopTarget, run: inout StopRun) {
        for cgroup in target.cgroups {
            do {
                if try !cgroup.folder.kill() {
                    for pid in try cgroup.folder.members() {
                        guard let stat = try ProcessStat.read(pid: pid) else { continue }
                        try SafeSignal.send(.kill, to: ProcessIdentity(pid: pid, startTime: stat.startTime))
                    }
                }
                _ = try cgroup.folder.waitUntilEmpty(until: .now + .seconds(1))
            } catch {
                run.fail(StopFailure(service: target.name, detail: "\(error)"))
            }
        }
    }

    /// What is left of a target in `snapshot`: its planned processes and their descendants, and
    /// the members of its session and group.
    static func survivors(of target: StopTarget, in snapshot: ProcessSnapshot) -> [ProcessEntry] {
        var alive = [Int32: ProcessEntry]()
        let roots = target.processes.compactMap { snapshot.live($0.identity) }
        for entry in roots + roots.flatMap({ snapshot.descendants(of: $0.pid) }) { alive[entry.pid] = entry }
        if let group = target.group {
            for entry in snapshot.members(ofSession: group) { alive[entry.pid] = entry }
        }
        return alive.values.filter { !$0.isGone && $0.pid > 1 }.sorted { $0.pid < $1.pid }
    }

    /// Waits until none of `identities` is alive or `seconds` pass; returns those still alive. A
    /// process whose state cannot be read is recorded as a failure and no longer waited for.
    @discardableResult
    static func waitGone(_ identities: Set<ProcessIdentity>, upTo seconds: Double, run: inout StopRun) -> Set<ProcessIdentity> {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var alive = identities
        var backoff = Backoff()
        while true {
            var still = Set<ProcessIdentity>()
            for identity in alive {
                do {
                    if try ProcessSnapshot.isAlive(identity) { still.insert(identity) }
                } catch {
                    run.fail(StopFailure(service: nil, detail: "cannot tell whether pid \(identity.pid) exited: \(error)"))
                }
            }
            alive = still
            if alive.isEmpty || ContinuousClock.now >= deadline { return alive }
            backoff.pause()
        }
    }
}
