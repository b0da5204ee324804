import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
/// How one service's stop ended.
public enum StopOutcome: String, Sendable {
    case graceful
    case forced
    case alreadyDead = "already-dead"
    /// devctl could not prove it is gone (a signal or a `/proc` read failed): its entry stays.
    case unproven
}

/// One service in the stop's account.
public struct ServiceStopResult: Sendable {
    public var name: String
    public var pid: Int32?
    public var outcome: StopOutcome
    /// The signal that ended it (nil when it was already dead).
    public var signal: Signal?
    public var milliseconds: Int
    public var note: String?
}

/// A process the orphan sweep killed, and the rule that made it the project's.
public struct SweptOrphan: Sendable {
    public var pid: Int32
    public var command: String
    public var reason: OwnershipClaim
    public var signal: Signal
}

/// Something the stop could not prove: a signal the kernel refused, a `/proc` read that failed,
/// an entry that could not be checked. Each one fails the stop and keeps its tracking entry.
public struct StopFailure: Sendable {
    /// The service it concerns, when one.
    public var service: String?
    /// The failed call, or the check that could not be made, with the system's reason.
    public var detail: String

    public init(service: String?, detail: String) {
        self.service = service
        self.detail = detail
    }
}

/// A health-check port held after the stop by a process that is not the project's: the next
/// start will fail on it, but it is somebody else's to stop.
public struct ForeignPortHolder: Sendable {
    public var port: Int
    public var pid: Int32?
    public var command: String
}

/// Something verification found still alive: a process of the project, or a port still held.
public struct Straggler: Sendable {
    public var pid: Int32?
    public var command: String
    /// The service it belongs to, or `port N` for a held health-check port.
    public var service: String?
}

/// Something that happened during a stop, reported as it happens (one line per event).
public enum ShutdownEvent: Sendable {
    /// How the project's services are contained, said once before the phases.
    case containment(Containment)
    case phase(Int, String)
    case warning(String)
    case signalled(name: String, signal: Signal, processes: Int)
    case stopped(ServiceStopResult)
    case timedOut(name: String, seconds: Double, remaining: Int)
    case forced(name: String, processes: Int)
    case orphan(SweptOrphan)
    case containers(ComposeOutcome)
    case straggler(Straggler)
    case failure(StopFailure)
    case foreignPortHolder(ForeignPortHolder)
    /// Verification found no process of the stopped services, and these health-check ports free.
    case verified(ports: [Int])
    case skipped(phase: Int, reason: String)
}

/// The account of a stop: what `stop` prints at the end and `stop --json` emits.
public struct ShutdownReport: Sendable {
    public var services: [ServiceStopResult] = []
    public var orphans: [SweptOrphan] = []
    public var stragglers: [Straggler] = []
    public var failures: [StopFailure] = []
    public var foreignPortHolders: [ForeignPortHolder] = []
    public var containers: ComposeOutcome = .skipped("not part of this stop")
    public var milliseconds: Int = 0
    public var interrupted = false
    public var containment: Containment = .session(reason: "not asked")

    public var succeeded: Bool {
        guard stragglers.isEmpty, failures.isEmpty else { return false }
        if case .failed = containers { return false }
        return true
    }
}
