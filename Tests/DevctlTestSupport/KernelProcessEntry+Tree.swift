import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension KernelProcessEntry {
    /// A service's whole tree as the kernel shows it now: the leader, its descendants by parent
    /// links (even those that called setsid), and every other process of its session or process
    /// group (a grandchild reparented to PID 1 that did not call setsid). Zombies are left out:
    /// they are already dead. Empty when the leader is dead. Sorted by PID.
    public static func tree(of leader: pid_t) -> [KernelProcessEntry] {
        let processes = all()
        guard let root = processes.first(where: { $0.pid == leader }), !root.isDead else { return [] }
        let children = Dictionary(grouping: processes, by: \.parent)
        var members = [pid_t: KernelProcessEntry]()
        var queue = [root]
        while let next = queue.popLast() {
            guard members.updateValue(next, forKey: next.pid) == nil else { continue }
            queue += children[next.pid] ?? []
        }
        for process in processes where process.session == leader || process.processGroup == leader {
            members[process.pid] = process
        }
        return members.values.filter { !$0.isDead }.sorted { $0.pid < $1.pid }
    }
}
