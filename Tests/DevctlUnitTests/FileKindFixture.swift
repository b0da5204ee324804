#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Temporary folders with links and FIFOs planted in them, and a way to prove that code handed a
/// FIFO never waits on it without letting a regression hang the whole test run.
enum FileKindFixture {
    /// A new empty folder (mode 0755) under the temporary directory; remove it with `removeFolder`.
    static func folder() -> String {
        let path = NSTemporaryDirectory() + "devctl-kinds-" + UUID().uuidString.prefix(8).lowercased()
        mkdir(path, 0o755)
        chmod(path, 0o755)
        return path
    }

    /// Removes a folder made by `folder()` with everything in it (FIFOs and links included; a
    /// link is removed, never what it points at).
    static func removeFolder(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// What `body` threw, as the user reads it; nil when it threw nothing.
    static func failure(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// What `body` returned, run on a thread of its own, when it finished within `seconds`; nil when
    /// it did not. It is then stuck opening the FIFO at `fifo` (or about to): this side holds the
    /// FIFO open from both ends until the thread ends, which lets that open return, so the test
    /// fails instead of hanging. (No reader devctl has ever had blocks in read(2) on an empty FIFO
    /// it opened: its reads are sized by fstat or made with pread, which a FIFO refuses.)
    static func outcome<T: Sendable>(within seconds: Double = 3, releasing fifo: String,
                                     _ body: @escaping @Sendable () -> T) -> T? {
        let box = Box<T>()
        Thread {
            box.set(body())
            box.done.signal()
        }.start()
        if box.done.wait(timeout: .now() + seconds) == .success { return box.value }
        // A writer released from its open writes into this side; never die of a closed end.
        signal(SIGPIPE, SIG_IGN)
        let fd = open(fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC)
        defer { close(fd) }
        var drain = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<200 {
            _ = read(fd, &drain, drain.count)
            if box.done.wait(timeout: .now() + 0.05) == .success { break }
        }
        return nil
    }

    private final class Box<T: Sendable>: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        private let lock = NSLock()
        private var stored: T?

        func set(_ value: T) { lock.withLock { stored = value } }
        var value: T? { lock.withLock { stored } }
    }
}
