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
    public var reason: String
    public var signal: Signal
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
    case phase(Int, String)
    case warning(String)
    case signalled(name: String, signal: Signal, processes: Int)
    case stopped(ServiceStopResult)
    case timedOut(name: String, seconds: Double, remaining: Int)
    case forced(name: String, processes: Int)
    case orphan(SweptOrphan)
    case containers(ComposeOutcome)
    case straggler(Straggler)
    /// Verification found no process of the stopped services, and these health-check ports free.
    case verified(ports: [Int])
    case skipped(phase: Int, reason: String)
}

/// The account of a stop: what `stop` prints at the end and `stop --json` emits.
public struct ShutdownReport: Sendable {
    public var services: [ServiceStopResult] = []
    public var orphans: [SweptOrphan] = []
    public var stragglers: [Straggler] = []
    public var containers: ComposeOutcome = .skipped("not part of this stop")
    public var milliseconds: Int = 0
    public var interrupted = false

    public var succeeded: Bool {
        guard stragglers.isEmpty else { return false }
        if case .failed = containers { return false }
        return true
    }
}
