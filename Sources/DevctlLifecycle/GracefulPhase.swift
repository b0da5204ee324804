import DevctlProcesses
import DevctlSystem

/// A target that was signalled (or, under `--force`, is about to be killed) and is not yet gone.
struct PendingTarget: Sendable {
    var target: StopTarget
    var signalledAt: ContinuousClock.Instant
}

/// Phase 1: each service's stop signal the moment every service that depends on it is gone —
/// not when a whole wave is — then a poll until each is gone or its grace ends. A service whose
/// grace ends while another waits for it is killed at once, so the wait can go on; the other
/// laggards are left to phase 2.
enum GracefulPhase {
    /// Where one service is in phase 1.
    private enum State {
        case blocked
        case signalled(at: ContinuousClock.Instant)
        case finished
    }

    /// What one look at a signalled service found.
    private enum Poll {
        case stillWaiting
        case finished
        /// Out of grace with nothing waiting for it: phase 2's.
        case laggard(PendingTarget)
    }

    /// Stops what it can; returns the laggards for phase 2.
    static func stop(_ plan: ShutdownPlan, run: inout StopRun) -> [PendingTarget] {
        var states = [String: State]()
        var live = [StopTarget]()
        for target in plan.targets {
            if let reason = target.unproven {
                run.fail(StopFailure(service: target.name, detail: "cannot check pid \(target.leader?.pid ?? 0): \(reason)"))
                finish(target, outcome: .unproven, signal: nil, since: nil, run: &run)
            } else if target.isAlreadyDead {
                finish(target, outcome: .alreadyDead, signal: nil, since: nil, run: &run)
            } else {
                states[target.name] = .blocked
                live.append(target)
            }
        }
        if plan.force {
            run.emit(.skipped(phase: 1, reason: "--force: no grace"))
            return live.map { PendingTarget(target: $0, signalledAt: .now) }
        }
        var laggards = [PendingTarget]()
        var backoff = Backoff()
        while live.contains(where: { if case .finished = states[$0.name] { false } else { true } }) {
            release(live, states: &states, run: &run)
            var finishedNow = false
            for target in live {
                guard case .signalled(let at) = states[target.name] else { continue }
                switch poll(target, since: at, waiters: live, states: states, run: &run) {
                case .stillWaiting: continue
                case .finished: break
                case .laggard(let laggard): laggards.append(laggard)
                }
                states[target.name] = .finished
                finishedNow = true
            }
            // A service that just finished may be the last one another waits for: that one is
            // signalled at once, not a pause later (a chain of N pays no N pauses).
            let mayRelease = finishedNow && live.contains { if case .blocked = states[$0.name] { true } else { false } }
            if !mayRelease { backoff.pause() }
        }
        return laggards
    }

    /// Signals every blocked target whose blockers are all finished; if none can go while none is
    /// signalled (a cycle validation should have refused), every blocked target goes.
    private static func release(_ targets: [StopTarget], states: inout [String: State], run: inout StopRun) {
        let current = states
        let blocked = targets.filter { if case .blocked = current[$0.name] { true } else { false } }
        var ready = blocked.filter { target in
            target.blockers.allSatisfy { if case .finished = current[$0] ?? .finished { true } else { false } }
        }
        let anySignalled = targets.contains { if case .signalled = current[$0.name] { true } else { false } }
        if ready.isEmpty && !anySignalled { ready = blocked }
        for target in ready {
            signal(target, with: target.signal, run: &run)
            run.project.events.record("signal", service: target.name, pid: target.leader?.pid, signal: target.signal)
            run.emit(.signalled(name: target.name, signal: target.signal, processes: target.processes.count))
            states[target.name] = .signalled(at: .now)
        }
    }

    /// What became of a signalled target: gone, still within its grace, or out of it (then killed
    /// at once when another service waits for it, else left to phase 2).
    private static func poll(_ target: StopTarget, since at: ContinuousClock.Instant, waiters: [StopTarget],
                             states: [String: State], run: inout StopRun) -> Poll {
        switch remaining(target) {
        case .failure(let error):
            run.fail(StopFailure(service: target.name, detail: "cannot tell whether it exited: \(error)"))
            finish(target, outcome: .unproven, signal: target.signal, since: at, run: &run)
            return .finished
        case .success(0):
            finish(target, outcome: .graceful, signal: target.signal, since: at, run: &run)
            return .finished
        case .success(let count):
            let waited = Double(Shutdown.milliseconds(since: at)) / 1000
            guard run.options.isInterrupted() || waited >= target.timeout else { return .stillWaiting }
            run.emit(.timedOut(name: target.name, seconds: min(waited, target.timeout), remaining: count))
            let pending = PendingTarget(target: target, signalledAt: at)
            let waitedFor = waiters.contains { waiter in
                if case .blocked = states[waiter.name] { return waiter.blockers.contains(target.name) }
                return false
            }
            guard waitedFor else { return .laggard(pending) }
            run.report.services += ForcePhase.kill([pending], run: &run)
            return .finished
        }
    }

    /// How many of the target's processes are still alive; a read that fails is the error. With
    /// a cgroup, the kernel's "populated" answers for all its members in one read, and only
    /// processes outside it are looked at one by one.
    private static func remaining(_ target: StopTarget) -> Result<Int, SystemCallError> {
        var count = 0
        do throws(SystemCallError) {
            let members = Set(target.cgroups.flatMap(\.members))
            for cgroup in target.cgroups where try cgroup.folder.events()?.populated == true {
                count += max(1, try cgroup.folder.members().count)
            }
            for process in target.processes where !members.contains(process.pid) {
                if try ProcessSnapshot.isAlive(process.identity) { count += 1 }
            }
        } catch {
            return .failure(error)
        }
        return .success(count)
    }

    /// The stop signal to the group (while the leader proves it) and to every tree or cgroup
    /// member outside it; a stopped process also gets SIGCONT and a frozen cgroup is thawed, so
    /// they can act on the signal.
    static func signal(_ target: StopTarget, with signal: Signal, run: inout StopRun) {
        for cgroup in target.cgroups where cgroup.frozen && signal != .kill {
            do {
                _ = try cgroup.folder.freeze(false)
            } catch {
                run.fail(StopFailure(service: target.name, detail: "\(error)"))
            }
        }
        run.fail(SafeSignal.send(signal, toTree: target.processes, leader: target.leader, group: target.group),
                 service: target.name)
        if signal != .kill {
            run.fail(SafeSignal.send(.continue, toTree: target.processes.filter(\.isStopped), leader: target.leader,
                                     group: target.group), service: target.name)
        }
    }

    private static func finish(_ target: StopTarget, outcome: StopOutcome, signal: Signal?,
                               since: ContinuousClock.Instant?, run: inout StopRun) {
        let result = ServiceStopResult(name: target.name, pid: target.leader?.pid, outcome: outcome, signal: signal,
                                       milliseconds: since.map(Shutdown.milliseconds(since:)) ?? 0,
                                       note: outcome == .alreadyDead ? target.note : nil)
        run.report.services.append(result)
        if outcome == .graceful {
            run.project.events.record("stopped", service: target.name, pid: target.leader?.pid, signal: signal,
                                      outcome: "graceful")
        }
        run.emit(.stopped(result))
    }
}
