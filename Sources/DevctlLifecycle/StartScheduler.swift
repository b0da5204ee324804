import DevctlConfig
import DevctlProcesses
import DevctlTracking
import Foundation
import Synchronization

/// Carries out a `StartPlan` per service: each service is spawned the moment every dependency of
/// it in this start is ready, recorded at once, and waited for on a thread of its own, so an
/// unrelated slow service never delays it. A failed dependency fails its dependents unspawned.
struct StartScheduler {
    let project: Project
    let launcher: ServiceLauncher
    let settleTime: Double
    let options: StartOptions
    let report: @Sendable (StartEvent) -> Void
    var ledger: TrackingLedger

    /// How services are contained in this start.
    let containment: Containment
    private let completions = Completions()
    /// The leaders this start spawned and waits for, by service.
    private var watches = [String: LeaderWatch]()
    /// Each service's configuration by name: the loop looks services up for every spawn.
    private let configs: [String: ServiceConfig]

    init(project: Project, launcher: ServiceLauncher, settleTime: Double, options: StartOptions,
         report: @escaping @Sendable (StartEvent) -> Void, ledger: TrackingLedger, containment: Containment) {
        self.containment = containment
        self.project = project
        self.launcher = launcher
        self.settleTime = settleTime
        self.options = options
        self.report = report
        self.ledger = ledger
        configs = Dictionary(project.config.services.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Where one service of the start is.
    private enum Progress {
        case waitingForDependencies
        case waitingUntilReady
        case done(StartOutcome)
    }

    mutating func run(_ plan: StartPlan) throws -> [String: StartOutcome] {
        var progress = [String: Progress]()
        for name in plan.toSpawn { progress[name] = .waitingForDependencies }
        for (name, leader) in plan.adopted {
            progress[name] = .done(.alreadyRunning(pid: leader.pid))
            if let identity = plan.awaitingHealth[name] {
                progress[name] = .waitingUntilReady
                let watch = configs[name]?.oneshot == true
                    ? LeaderWatch(pid: identity.pid, service: name, marker: project.marker, cgroup: nil, store: project.store) : nil
                awaitReady(name, pid: identity.pid, spawned: false, watch: watch) { Self.exitReason(identity) }
            }
        }
        for name in plan.finished { progress[name] = .done(.alreadyDone) }
        for (name, reason) in plan.unproven {
            progress[name] = .done(.failed("cannot tell whether it is running: \(reason)"))
            report(.failed(name: name, reason: "cannot tell whether it is running: \(reason)", logTail: []))
        }
        let dependents = Set(plan.targets.flatMap { configs[$0]?.dependsOn ?? [] })
        // Only the services still waiting for their dependencies are looked at again, and a count
        // says whether any wait is open, so a start of N services stays linear in N.
        var pending = plan.toSpawn
        var waiting = progress.values.count { if case .waitingUntilReady = $0 { true } else { false } }
        var step = 0
        while true {
            if !options.isCancelled() {
                waiting += try spawnReady(&pending, total: plan.toSpawn.count, dependents: dependents,
                                          progress: &progress, step: &step)
            }
            guard waiting > 0 else { break }
            for (name, outcome) in completions.next() {
                progress[name] = .done(outcome)
                waiting -= 1
                if case .started(let pid) = outcome, let watch = watches[name] {
                    if watch.daemonized { try followDaemon(name, watch) } else if pid != watch.pid { try followRestart(name, watch) }
                }
            }
        }
        return progress.compactMapValues { if case .done(let outcome) = $0 { outcome } else { nil } }
    }

    /// Spawns every pending service whose dependencies are all ready and skips those with a failed
    /// one; both leave `pending`. Returns how many waits it opened.
    private mutating func spawnReady(_ pending: inout [String], total: Int, dependents: Set<String>,
                                     progress: inout [String: Progress], step: inout Int) throws -> Int {
        var opened = 0
        var still = [String]()
        var ready = [ServiceConfig]()
        for name in pending {
            guard case .waitingForDependencies = progress[name], let service = configs[name] else { continue }
            let states = service.dependsOn.compactMap { progress[$0] }
            if let failed = service.dependsOn.first(where: { if case .done(let outcome) = progress[$0] { outcome.isFailure } else { false } }) {
                progress[name] = .done(.skipped("dependency '\(failed)' did not start"))
                step += 1
                report(.skipped(name: name, reason: "dependency '\(failed)' did not start", step: step, of: total))
                continue
            }
            guard states.allSatisfy({ if case .done = $0 { true } else { false } }) else {
                still.append(name)
                continue
            }
            ready.append(service)
        }
        pending = still
        for batch in stride(from: 0, to: ready.count, by: Self.batchSize).map({ ready[$0..<min($0 + Self.batchSize, ready.count)] }) {
            let launched = launchTogether(batch)
            for (index, (service, result)) in launched.enumerated() {
                do {
                    progress[service.name] = try recorded(service, result, step: &step, total: total,
                                                          awaited: options.wait || dependents.contains(service.name))
                } catch {
                    // The tracking files cannot be written: what the batch started after this one
                    // would run untracked, so it is taken down again before the start fails.
                    for case (_, .success(let (entry, _))) in launched[(index + 1)...] {
                        _ = ServiceLauncher.revoke(entry, store: project.store)
                    }
                    throw error
                }
                if case .waitingUntilReady = progress[service.name] { opened += 1 }
            }
        }
        return opened
    }

    /// Keepers spawned before the first answer is read: each takes milliseconds to start its
    /// service, and they do it side by side.
    static let batchSize = 32

    /// Spawns the keepers of `services` (each in its cgroup, made first), then reads their answers.
    private func launchTogether(_ services: ArraySlice<ServiceConfig>)
        -> [(ServiceConfig, Result<(TrackedService, CgroupFolder?), SpawnError>)]
    {
        let begun = services.map { service in
            let cgroup = containment.cgroups?.folder(forService: service.name)
            return (service, cgroup, Result { () throws(SpawnError) -> KeeperLaunch.Pending in
                do {
                    try cgroup?.create()
                } catch {
                    throw SpawnError(message: "cannot create its cgroup: \(error)")
                }
                return try launcher.beginLaunch(service, cgroup: cgroup)
            })
        }
        // Every answer is read, whatever happens to the others: each closes a pipe and reaps a process.
        return begun.map { service, cgroup, pending in
            (service, pending.flatMap { pending in
                Result { () throws(SpawnError) in (try launcher.finishLaunch(service, pending), cgroup) }
            })
        }
    }

    /// Records one service its keeper started (or reports why it could not be), then starts
    /// waiting for it (or, when nothing needs it ready and the user asked not to wait, counts it
    /// as started).
    private mutating func recorded(_ service: ServiceConfig, _ launched: Result<(TrackedService, CgroupFolder?), SpawnError>,
                                   step: inout Int, total: Int, awaited: Bool) throws -> Progress {
        let entry: TrackedService, cgroup: CgroupFolder?
        do throws(SpawnError) {
            (entry, cgroup) = try launched.get()
        } catch {
            project.events.record("start", service: service.name, outcome: "failed", detail: error.message)
            step += 1
            report(.failed(name: service.name, reason: error.message, logTail: [], step: step, of: total))
            return .done(.failed(error.message))
        }
        try ledger.record(entry)
        step += 1
        project.events.record("start", service: service.name, pid: entry.pid, outcome: "spawned")
        report(.spawned(name: service.name, pid: entry.pid, step: step, of: total))
        guard awaited else { return .done(.started(pid: entry.pid)) }
        let watch = LeaderWatch(pid: entry.pid, service: service.name, marker: project.marker, cgroup: cgroup,
                                 store: project.store)
        watches[service.name] = watch
        awaitReady(service.name, pid: entry.pid, spawned: true, watch: watch,
                   gone: service.healthcheck == nil ? watch.settleFailure : watch.exitReason)
        return .waitingUntilReady
    }

    /// A leader that daemonized is gone: its service is tracked by the oldest process it left.
    private mutating func followDaemon(_ name: String, _ watch: LeaderWatch) throws {
        guard let oldest = watch.survivors().first, oldest.pid != watch.leader else { return }
        try ledger.replace(TrackedService(name: name, pid: oldest.pid, pgid: oldest.pgid, startTime: oldest.startTime))
        project.events.record("daemonized", service: name, pid: oldest.pid, detail: "leader \(watch.pid) exited 0")
    }

    /// Its keeper restarted it while the start waited: the tracking files name the run that became
    /// ready (SPEC §5), not the one this start spawned.
    private mutating func followRestart(_ name: String, _ watch: LeaderWatch) throws {
        guard let leader = watch.currentRun(), leader.pid != watch.pid else { return }
        try ledger.replace(TrackedService(name: name, pid: leader.pid, pgid: leader.pid, startTime: leader.startTime))
    }

    /// Waits for `name` on a thread of its own and wakes the loop when it is done.
    private func awaitReady(_ name: String, pid: Int32, spawned: Bool, watch: LeaderWatch?,
                            gone: @escaping @Sendable () -> String?) {
        guard let service = configs[name] else { return }
        let readiness = ReadinessWait(project: project, checks: HealthCheckRunner(launcher: launcher), settleTime: settleTime)
        let options = options, report = report, completions = completions, start = ContinuousClock.now
        Concurrently.detach {
            let outcome = readiness.wait(for: service, pid: pid, spawned: spawned, since: start, watch: watch, gone: {
                options.isCancelled() ? "start interrupted" : gone()
            }, report: report)
            completions.add(name, outcome)
        }
    }

    /// "exited" once a service this start did not spawn is gone; a read that fails proves
    /// nothing, so the wait goes on (bounded by the health check's timeout).
    private static func exitReason(_ identity: ProcessIdentity) -> String? {
        do {
            return try ProcessSnapshot.isAlive(identity) ? nil : "exited"
        } catch {
            return nil
        }
    }
}

/// Finished waits, handed from the waiting threads to the scheduling loop.
private final class Completions: Sendable {
    private let items = Mutex<[(String, StartOutcome)]>([])
    private let wake = DispatchSemaphore(value: 0)

    func add(_ name: String, _ outcome: StartOutcome) {
        items.withLock { $0.append((name, outcome)) }
        wake.signal()
    }

    /// Blocks until at least one wait has finished; returns every one finished since last asked.
    func next() -> [(String, StartOutcome)] {
        wake.wait()
        return items.withLock { items in
            defer { items.removeAll() }
            return items
        }
    }
}
