import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation

/// Runs blocking jobs that mostly wait (health probes, health waits) all at once, each on a thread
/// of its own. `DispatchQueue.concurrentPerform` caps parallelism at the number of cores, so on a
/// 2-core machine ten failing 30 s health checks took 150 s instead of 30 s.
public enum Concurrently {
    /// Calls `body(0)`, …, `body(count - 1)` concurrently and returns when all have returned.
    public static func forEach(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        if count <= 1 {
            if count == 1 { body(0) }
            return
        }
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            let thread = Thread {
                body(index)
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
    }

    /// Runs `body` on a thread of its own and returns at once.
    public static func detach(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.stackSize = 1 << 20
        thread.start()
    }
}
