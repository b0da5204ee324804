#if canImport(Glibc)
import Glibc
#endif

/// The pause between two polls of something devctl waits for (a process to exit, a lock, a check
/// command): it starts at 1 ms so a quick change is seen at once, and grows by half up to a cap
/// so a long wait costs little CPU. Every wait in devctl polls this way; none sleeps a fixed time.
public struct Backoff: Sendable {
    private var current: useconds_t = 1_000
    private let maximum: useconds_t

    /// `maximum` in seconds: the longest a change can go unnoticed once the pause has grown.
    public init(maximum: Double = 0.01) {
        self.maximum = useconds_t(maximum * 1_000_000)
    }

    /// Sleeps for the current pause, then lengthens the next one.
    public mutating func pause() {
        usleep(current)
        current = min(current * 3 / 2, maximum)
    }
}
