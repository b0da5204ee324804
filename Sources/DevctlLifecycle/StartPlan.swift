import DevctlConfig
import DevctlProcesses
import DevctlTracking

/// The decisions of a start as a value, from one inspection: which services already run (and
/// must still pass their health check before their dependents go), which dead entries to clear,
/// which services to spawn, and which cannot be judged at all. Pure.
public struct StartPlan: Sendable {
    /// The services of this start, in configuration order.
    public var targets: [String]
    /// Running services, with their live leaders: left alone, and recorded as found.
    public var adopted: [(name: String, leader: ProcessEntry)] = []
    /// Running services whose health check must pass before their dependents are spawned (a
    /// paused service was frozen on purpose and counts as ready as it is).
    public var awaitingHealth: [String: ProcessIdentity] = [:]
    /// Dead tracking entries to remove, with why they are dead.
    public var cleared: [(name: String, entry: TrackedService, reason: String)] = []
    /// Oneshots that already ran to their exit 0: done, and not run again.
    public var finished: [String] = []
    /// Services to spawn, in configuration order.
    public var toSpawn: [String] = []
    /// Services whose tracked process could not be checked: spawning a twin is never safe.
    public var unproven: [String: String] = [:]

    public static func make(targets: [String], inspection: ServiceInspector.Inspection, config: ServicesConfig) -> StartPlan {
        var plan = StartPlan(targets: targets)
        let configs = Dictionary(config.services.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for name in targets {
            guard let runtime = inspection.runtime(name) else { continue }
            if let reason = runtime.unproven {
                plan.unproven[name] = reason
            } else if runtime.state == .done {
                plan.finished.append(name)
            } else if let leader = runtime.leader {
                plan.adopted.append((name, leader))
                if configs[name]?.healthcheck != nil, runtime.state == .running {
                    plan.awaitingHealth[name] = leader.identity
                }
            } else {
                if let old = runtime.tracked { plan.cleared.append((name, old, runtime.note ?? "exited")) }
                plan.toSpawn.append(name)
            }
        }
        return plan
    }
}
