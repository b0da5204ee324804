import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// What `start` asked for.
public struct StartOptions: Sendable {
    public var names: [String]
    /// Return once the last service is spawned (dependencies are still waited for).
    public var wait: Bool
    /// Checked between steps and while waiting: Ctrl-C ends the start early.
    public var isCancelled: @Sendable () -> Bool

    public init(names: [String] = [], wait: Bool = true, isCancelled: @escaping @Sendable () -> Bool = { false }) {
        self.names = names
        self.wait = wait
        self.isCancelled = isCancelled
    }
}

/// One thing that happened during `start`, reported as it happens so the terminal shows progress.
public enum StartEvent: Sendable {
    case ignoredEntry(String)
    case alreadyRunning(name: String, pid: Int32)
    /// A oneshot that already ran to its exit 0: not run again until a stop clears it.
    case alreadyDone(name: String)
    case clearedDeadEntry(name: String, pid: Int32, reason: String)
    case spawned(name: String, pid: Int32, step: Int, of: Int)
    case waiting(name: String, check: String)
    case ready(name: String, pid: Int32, seconds: Double)
    /// A oneshot ran to its exit 0.
    case finished(name: String, pid: Int32, seconds: Double)
    /// `step`: the service's place among those this start spawns, when it failed before spawning.
    case failed(name: String, reason: String, logTail: [String], step: Int? = nil, of: Int? = nil)
    case skipped(name: String, reason: String, step: Int? = nil, of: Int? = nil)
}

/// How one service's start ended.
public enum StartOutcome: Sendable, Equatable {
    case started(pid: Int32)
    case alreadyRunning(pid: Int32)
    case alreadyDone
    /// A oneshot this start ran exited 0.
    case finished(pid: Int32)
    /// `leftRunning`: the leader of a service that was spawned but never became healthy, which
    /// a start does not stop.
    case failed(String, leftRunning: Int32? = nil)
    case skipped(String)

    public var isFailure: Bool {
        switch self {
        case .failed, .skipped: true
        default: false
        }
    }
}

/// The result of `start`: per service, in configuration order, and the time taken.
public struct StartReport: Sendable {
    public var outcomes: [(name: String, outcome: StartOutcome)]
    public var seconds: Double
    public var cancelled: Bool
    /// Services this run spawned, healthy or not (what Ctrl-C must take down again).
    public var spawned: [String]
    public var succeeded: Bool { !cancelled && !outcomes.contains { $0.outcome.isFailure } }
}

/// Starts services in dependency order, each the moment its own dependencies are ready — not
/// when a whole wave is. The decisions are `StartPlan` (what to adopt, clear and spawn) and the
/// port check, made before anything is spawned; `StartScheduler` carries them out. A failed
/// dependency fails its dependents without spawning them. The caller holds the lock.
public struct Starter: Sendable {
    public let project: Project
    public let launcher: ServiceLauncher
    /// How long a service without a health check must stay alive to count as started.
    public var settleTime: Double = 0.15

    public init(project: Project, launcher: ServiceLauncher) {
        self.project = project
        self.launcher = launcher
    }

    public func run(_ options: StartOptions, report: @escaping @Sendable (StartEvent) -> Void) throws -> StartReport {
        let began = ContinuousClock.now
        try project.store.prepare()
        let tracking = try project.store.read()
        let targets = project.graph.closure(of: try project.resolveNames(options.names))
        let scan = try ProjectScan.take(.services(tracked: Set(tracking.entries.map(\.pid))), for: project)
        if project.config.containment == .cgroup, case .session(let reason) = scan.containment {
            throw ContainmentUnavailable(reason: reason)
        }
        try CgroupHome.prepare(scan.containment, store: project.store)
        let inspection = ServiceInspector(project: project).inspect(tracking, scan: scan)
        inspection.warnings.forEach { report(.ignoredEntry($0)) }
        let plan = StartPlan.make(targets: targets, inspection: inspection, config: project.config)
        var ledger = TrackingLedger(store: project.store, entries: tracking.entries, order: project.config.services.map(\.name))
        try ledger.apply(plan)
        for (name, leader) in plan.adopted { report(.alreadyRunning(name: name, pid: leader.pid)) }
        for name in plan.finished { report(.alreadyDone(name: name)) }
        // A keeper still waiting to restart a service about to be started afresh must be gone
        // first, or two keepers would run it.
        let waiting = plan.cleared.map(\.name).filter { inspection.runtime($0)?.supervised == true }
        KeeperStandDown.awaitExit(KeeperStandDown.tell(waiting, store: project.store).told)
        for (name, old, reason) in plan.cleared { report(.clearedDeadEntry(name: name, pid: old.pid, reason: reason)) }

        var outcomes = [String: StartOutcome]()
        let configs = Dictionary(project.config.services.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let conflicts = PortConflicts.find(for: plan.toSpawn.compactMap { configs[$0] })
        if !conflicts.isEmpty {
            // Nothing is spawned: a start that cannot finish must not leave half a stack running.
            for (name, reason) in conflicts {
                outcomes[name] = .failed(reason)
                report(.failed(name: name, reason: reason, logTail: []))
            }
            for name in plan.toSpawn where outcomes[name] == nil {
                outcomes[name] = .skipped("not started: a port the start needs is taken")
            }
        } else {
            var scheduler = StartScheduler(project: project, launcher: launcher, settleTime: settleTime,
                                           options: options, report: report, ledger: ledger,
                                           containment: scan.containment)
            defer { scheduler.ledger.finish() }
            outcomes = try scheduler.run(plan)
            ledger = scheduler.ledger
        }
        let ordered = targets.compactMap { name in outcomes[name].map { (name: name, outcome: $0) } }
        return StartReport(outcomes: ordered, seconds: Double(Shutdown.milliseconds(since: began)) / 1000,
                           cancelled: options.isCancelled(), spawned: ledger.spawned)
    }
}

extension HealthCheck {
    /// "tcp 127.0.0.1:8000", "http http://…", "command 'pg_isready'" — for progress lines.
    public var summary: String {
        switch kind {
        case .tcp(let port): "tcp 127.0.0.1:\(port)"
        case .http(let url): "http \(url)"
        case .command(let command): "command '\(command)'"
        case .log(let pattern): "log /\(pattern)/"
        }
    }
}
