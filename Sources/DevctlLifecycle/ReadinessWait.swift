import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlTracking
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Waits for one service to be ready — its health check passing, or, without one, still alive
/// after a short settle — and fails at once when it exits meanwhile, with its exit status and
/// the end of its log.
struct ReadinessWait: Sendable {
    let project: Project
    let checks: HealthCheckRunner
    let settleTime: Double

    /// How the wait for `service` (led by `pid`, spawned by this start or not) ended. `gone`
    /// says why waiting is pointless ("exited with status 1"), or nil while the service lives.
    /// A oneshot is ready when its keeper records exit 0 (`watch` follows it).
    func wait(for service: ServiceConfig, pid: Int32, spawned: Bool, since start: ContinuousClock.Instant, watch: LeaderWatch?,
              gone: @escaping @Sendable () -> String?, report: @Sendable (StartEvent) -> Void) -> StartOutcome {
        let outcome: StartOutcome
        if service.oneshot, let watch {
            report(.waiting(name: service.name, check: "its exit 0"))
            outcome = finish(watch, pid: pid, spawned: spawned, gone: gone)
        } else if let check = service.healthcheck {
            report(.waiting(name: service.name, check: check.summary))
            let deadline = ContinuousClock.now + .seconds(check.timeout)
            let result = HealthWaiter.wait(timeout: check.timeout, interval: check.interval, probe: {
                let remaining = Double(ContinuousClock.now.duration(to: deadline).components.seconds)
                return checks.probe(service, timeout: HealthCheckRunner.probeTimeout(for: check, remaining: remaining))
            }, shouldAbort: gone)
            // Its keeper may have restarted it meanwhile (SPEC §5): the run now is the one to name.
            let current = watch?.currentRun()?.pid ?? pid
            switch result {
            case .healthy: outcome = spawned ? .started(pid: current) : .alreadyRunning(pid: current)
            case .timedOut(let last):
                outcome = .failed("not healthy after \(String(format: "%g", check.timeout)) s (\(last))", leftRunning: current)
            case .aborted(let reason): outcome = .failed(reason)
            }
        } else {
            outcome = settle(pid: pid, until: start + .seconds(settleTime), gone: gone)
        }
        announce(outcome, of: service, pid: pid, since: start, report: report)
        return outcome
    }

    private func announce(_ outcome: StartOutcome, of service: ServiceConfig, pid: Int32, since start: ContinuousClock.Instant,
                          report: @Sendable (StartEvent) -> Void) {
        switch outcome {
        case .started(let pid), .alreadyRunning(let pid):
            project.events.record("health", service: service.name, pid: pid, outcome: "ready")
            report(.ready(name: service.name, pid: pid, seconds: Double(Shutdown.milliseconds(since: start)) / 1000))
        case .failed(let reason, _):
            project.events.record("health", service: service.name, pid: pid, outcome: "failed", detail: reason)
            let tail = LogReader.newestRunTail(path: project.store.logFile(for: service.name), service: service.name, count: 5)
            report(.failed(name: service.name, reason: reason, logTail: tail))
        case .finished(let pid):
            project.events.record("health", service: service.name, pid: pid, outcome: "finished")
            report(.finished(name: service.name, pid: pid, seconds: Double(Shutdown.milliseconds(since: start)) / 1000))
        case .skipped, .alreadyDone:
            break
        }
    }

    /// A oneshot runs to its end however long it takes (Ctrl-C ends the wait): exit 0 is ready,
    /// anything else fails the start with the exit status.
    private func finish(_ watch: LeaderWatch, pid: Int32, spawned: Bool, gone: () -> String?) -> StartOutcome {
        var backoff = Backoff(maximum: 0.05)
        while true {
            switch watch.progress() {
            case .done: return .finished(pid: pid)
            case .ended(let reason): return .failed(reason)
            case .running: if let reason = gone() { return .failed(reason) }
            }
            backoff.pause()
        }
    }

    /// A service without a health check counts as started once it is still alive at `deadline`.
    private func settle(pid: Int32, until deadline: ContinuousClock.Instant, gone: () -> String?) -> StartOutcome {
        // Asleep until the deadline or the leader's exit, whichever comes first: the keeper's
        // record says how a run ended, and is read once it did (or once at the end).
        if let leader = try? PidFD(pid: pid) {
            var watched = pollfd(fd: leader.descriptor, events: Int16(POLLIN), revents: 0)
            while ContinuousClock.now < deadline {
                let ready = poll(&watched, 1, ContinuousClock.now.duration(to: deadline).pollTimeout)
                if ready > 0 || (ready < 0 && errno != EINTR) { break }
            }
        }
        var backoff = Backoff()
        while ContinuousClock.now < deadline {
            if let reason = gone() { return .failed(reason) }
            backoff.pause()
        }
        if let reason = gone() { return .failed(reason) }
        return .started(pid: pid)
    }
}
