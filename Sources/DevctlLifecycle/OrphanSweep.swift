import DevctlProcesses
import DevctlSystem

/// Phase 3: TERM every process `Ownership` gives the project, a brief grace, KILL what remains —
/// and again, until a pass finds nothing new, so a child that keeps changing its session cannot
/// outrun it. Bounded in time.
struct OrphanSweep {
    /// Grace between SIGTERM and SIGKILL.
    var grace: Double
    /// How long passes may go on finding new processes.
    var bound: Double

    func sweep(_ ownership: Ownership, run: inout StopRun) {
        let deadline = ContinuousClock.now + .seconds(bound)
        var seen = Set<ProcessIdentity>()
        repeat {
            let scan: ProjectScan
            do {
                scan = try ProjectScan.take(.sweep(patterns: !ownership.patterns.isEmpty), for: run.project,
                                            containment: run.report.containment)
            } catch {
                run.fail(StopFailure(service: nil, detail: "cannot look for orphans: \(error)"))
                return
            }
            let fresh = ownership.claims(in: scan).filter { !seen.contains($0.process.identity) }
            if fresh.isEmpty { break }
            seen.formUnion(fresh.map(\.process.identity))
            pass(fresh, run: &run)
        } while ContinuousClock.now < deadline
        if run.report.orphans.isEmpty { run.emit(.skipped(phase: 3, reason: "no orphans found")) }
    }

    /// One pass: TERM all, wait `grace`, KILL the survivors, and account for each.
    private func pass(_ owned: [OwnedProcess], run: inout StopRun) {
        // Named while they still run: the account says what was killed.
        let names = owned.map { ProcessNames.commandLine(of: $0.process) }
        for item in owned { send(.terminate, to: item.process.identity, run: &run) }
        let survivors = ForcePhase.waitGone(Set(owned.map(\.process.identity)), upTo: grace, run: &run)
        for (item, name) in zip(owned, names) {
            let identity = item.process.identity
            var signal = Signal.terminate
            if survivors.contains(identity) {
                send(.kill, to: identity, run: &run)
                signal = .kill
            }
            let orphan = SweptOrphan(pid: identity.pid, command: name, reason: item.claim, signal: signal)
            run.project.events.record("orphan", pid: identity.pid, signal: signal, outcome: "killed",
                                      detail: item.claim.description)
            run.emit(.orphan(orphan))
            run.report.orphans.append(orphan)
        }
        ForcePhase.waitGone(survivors, upTo: 1, run: &run)
    }

    private func send(_ signal: Signal, to identity: ProcessIdentity, run: inout StopRun) {
        do {
            try SafeSignal.send(signal, to: identity)
        } catch {
            run.fail(StopFailure(service: nil, detail: "\(error)"))
        }
    }
}
