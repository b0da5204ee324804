import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif

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
}

/// The decisions of a stop as a value: which services, in which waves (dependents before their
/// dependencies), with which signal and grace. Pure, so a unit test can check it without processes.
public struct ShutdownPlan: Sendable {
    public var waves: [[StopTarget]]
    /// Whether the orphan sweep may use `orphanPatterns` and compose may run (full stop only).
    public var isFullStop: Bool
    public var force: Bool

    public var targets: [StopTarget] { waves.flatMap { $0 } }

    /// Plans the stop of `names` (all services when empty) from an inspection.
    public static func make(project: Project, inspection: ServiceInspector.Inspection, names: [String],
                            force: Bool, timeout: Double?) -> ShutdownPlan {
        let selected = names.isEmpty ? inspection.services.map(\.name) : names
        let configured = Set(project.config.services.map(\.name))
        var waves = project.graph.stopWaves(of: selected.filter { configured.contains($0) })
        // Tracked services no longer in services.json have no dependencies: stop them first.
        let extra = selected.filter { !configured.contains($0) }
        if !extra.isEmpty { waves.insert(extra, at: 0) }
        let planned = waves.map { wave in
            wave.compactMap { name -> StopTarget? in
                guard let runtime = inspection.runtime(name) else { return nil }
                let config = runtime.config
                let signal = Signal(config?.stopSignal.number ?? SIGTERM)
                let grace = timeout ?? config?.stopTimeout ?? project.config.stopTimeout
                return StopTarget(name: name, signal: signal, timeout: grace, leader: runtime.leader?.identity,
                                  group: runtime.leader?.pgid, processes: runtime.processes,
                                  note: runtime.leader == nil ? runtime.note : nil)
            }
        }.filter { !$0.isEmpty }
        return ShutdownPlan(waves: planned, isFullStop: names.isEmpty, force: force)
    }
}
