#if canImport(Glibc)
import Glibc
#endif
import CDevctlShims

/// Signals as readable events (`signalfd`): the keeper waits for its children's exits, a stand-down
/// and its service's output in one `poll`, with no handler running at an arbitrary instant. The
/// signals are blocked for the whole process; a child spawned by `Spawner` starts with an empty mask.
public struct SignalDescriptor: Sendable {
    public let fd: Int32

    /// Blocks `signals` and opens a non-blocking descriptor that reports them.
    public init(_ signals: [Signal]) throws(SystemCallError) {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal.rawValue) }
        try systemCall("sigprocmask(SIG_BLOCK)") { sigprocmask(SIG_BLOCK, &set, nil) }
        fd = try systemCall("signalfd") { devctl_signalfd(&set) }
    }

    /// Every signal that arrived since the last call, in arrival order (a signal that arrived
    /// twice before being read is reported once, as the kernel merges them).
    public func drain() -> [Signal] {
        var signals = [Signal]()
        while true {
            let number = devctl_signalfd_next(fd)
            if number > 0 { signals.append(Signal(number)) } else if number < 0, errno == EINTR { continue } else { break }
        }
        return signals
    }
}
