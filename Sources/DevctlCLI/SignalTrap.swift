import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

private let receivedCount = Atomic<Int>(0)
private let lastSignal = Atomic<Int32>(0)

/// Turns SIGINT, SIGTERM and SIGHUP into data the running command polls, so Ctrl-C during `start`
/// stops what it started and a signal during `stop` never abandons it half-way. `restore` puts
/// the default handler back and re-raises, so the shell sees death by signal when it should.
public enum SignalTrap {
    public static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Installs the handlers (counting, not exiting).
    public static func install() {
        for signal in handled {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                receivedCount.add(1, ordering: .relaxed)
                lastSignal.store(number, ordering: .relaxed)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(signal, &action, nil)
        }
    }

    /// How many of the handled signals arrived since `install`.
    public static var count: Int { receivedCount.load(ordering: .relaxed) }

    /// The last handled signal that arrived, if any.
    public static var last: Signal? {
        let value = lastSignal.load(ordering: .relaxed)
        return value == 0 ? nil : Signal(value)
    }

    /// After clean-up: restores the default handler and re-raises the signal that arrived, so the
    /// calling shell sees death by signal (exit 130 for Ctrl-C) as with any well-behaved tool.
    public static func reraise() {
        guard let signal = last else { return }
        Glibc.signal(signal.rawValue, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, signal.rawValue)
        sigprocmask(SIG_UNBLOCK, &set, nil)
        raise(signal.rawValue)
    }
}
