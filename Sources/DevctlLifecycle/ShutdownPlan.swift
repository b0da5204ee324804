import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlTracking

/// One service to take down: how to signal it, how long to wait, and what belongs to it.
public struct StopTarget: Sendable {
    public var name: String
    public var signal: Signal
    public var timeout: Double
    /// The trusted leader when it is alive; nil for a dead or ignored entry.
    public var leader: ProcessIdentity?
    /// The group to signal as a whole (the leader's PGID) when a trusted member proves it.
    public var group: Int32?
    /// Every live process of the service's tree at planning time.
    public var processes: [ProcessEntry]
    /// The entry's state before the stop, for the account (`already-dead`, `PID reused`).
    public var note: String?
    /// Why devctl cannot tell whether the tracked process is gone: the stop must fail for it.
    public var unproven: String?
    /// The services among this stop's targets that must be gone before this one is signalled
    /// (those that depend on it).
    public var blockers: Set<String>
    /// Its cgroups, with containment: the stop ends when they are empty.
    public var cgroups: [ServiceCgroup] = []

    /// Nothing of it runs, and nothing is in doubt.
    public var isAlreadyDead: Bool {
        leader == nil && processes.isEmpty && unproven == nil && !cgroups.contains { $0.populated }
    }
}

/// The decisions of a stop as a value: which services, which must wait for which (dependents
/// before their dependencies), with which signal and grace, and which sessions are the
/// project's. Pure, so a unit test can check it without processes.
public struct ShutdownPlan: Sendable {
    /// In a stop order: every target comes after the targets that block it.
    public var targets: [StopTarget]
    /// Whether the orphan sweep may use `orphanPatterns` and compose may run (full stop only).
    public var isFullStop: Bool
    public var force: Bool
    /// Sessions and groups of the targets (rule b): a live leader's, and a dead leader's
    /// recorded ones as long as its PID has not been given to another process.
    public var trackedSessions: Set<Int32>
    /// The live keepers of the targets, by PID: their descendants are their services' (rule e).
    public var keepers: [Int32: String] = [:]

    /// Plans the stop of `names` (all services when empty) from an inspection of `scan`.
    public static func make(project: Project, inspection: ServiceInspector.Inspection, scan: ProjectScan,
                            names: [String], force: Bool, timeout: Double?) -> ShutdownPlan {
        let selected = names.isEmpty ? inspection.services.map(\.name) : names
        let configured = Set(project.config.services.map(\.name))
        // Tracked services no longer in services.json have no dependencies: stop them first.
        let order = selected.filter { !configured.contains($0) }
            + project.graph.stopWaves(of: selected.filter { configured.contains($0) }).joined()
        let chosen = Set(order)
        var sessions = Set<Int32>()
        var keepers = [Int32: String]()
        let targets = order.compactMap { name -> StopTarget? in
            guard let runtime = inspection.runtime(name) else { return nil }
            sessions.formUnion(trackedSessions(of: runtime, in: scan))
            if runtime.supervised, let keeper = runtime.supervision?.keeper { keepers[keeper.pid] = name }
            let config = runtime.config
            return StopTarget(name: name, signal: Signal(config?.stopSignal.number ?? 15),
                              timeout: timeout ?? config?.stopTimeout ?? project.config.stopTimeout,
                              leader: runtime.leader?.identity, group: runtime.leader?.pgid, processes: runtime.processes,
                              note: runtime.leader == nil ? runtime.note : nil, unproven: runtime.unproven,
                              blockers: Set(project.graph.dependents(of: name).filter(chosen.contains)),
                              cgroups: runtime.cgroups)
        }
        return ShutdownPlan(targets: targets, isFullStop: names.isEmpty, force: force, trackedSessions: sessions,
                            keepers: keepers)
    }

    /// The session and group ids rule (b) may claim for one service. A dead leader's recorded ids
    /// stay the service's while its PID is free: the kernel does not reuse a PID while any
    /// process is in the session or group it names, so their members are the leader's.
    static func trackedSessions(of runtime: ServiceRuntime, in scan: ProjectScan) -> Set<Int32> {
        if let leader = runtime.leader { return [leader.sid, leader.pgid] }
        guard runtime.unproven == nil, let tracked = runtime.tracked, tracked.startTime != nil,
              scan.processes[tracked.pid].map(\.isGone) ?? true else { return [] }
        return Set([tracked.pid, tracked.pgid].filter { $0 > 1 && !scan.protected.contains($0) })
    }
}
