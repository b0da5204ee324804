import DevctlProcesses
import Synchronization

/// Watches a leader this start spawned while its readiness is awaited, and tells a crash from a
/// command that daemonized itself: a leader that exits 0 while its cgroup still holds processes
/// (`pg_ctl start`, `redis-server --daemonize yes`, nginx's default) left its service running.
final class LeaderWatch: Sendable {
    let pid: Int32
    let cgroup: CgroupFolder?
    private let state = Mutex<(reaped: Bool, daemonized: Bool)>((false, false))

    init(pid: Int32, cgroup: CgroupFolder?) {
        self.pid = pid
        self.cgroup = cgroup
    }

    /// The leader exited 0 and left processes in its cgroup.
    var daemonized: Bool { state.withLock { $0.daemonized } }

    /// Why waiting for readiness is pointless ("exited with status 1"), or nil while the service
    /// runs — its leader, or after the leader daemonized, what it left in the cgroup.
    func exitReason() -> String? {
        state.withLock { state -> String? in
            if state.daemonized {
                return isPopulated() ? nil : "exited with status 0, and nothing it started is left"
            }
            guard !state.reaped, let status = Spawner.reap(pid) else { return nil }
            state.reaped = true
            guard status == .exited(0) else { return "\(status)" }
            guard cgroup != nil else {
                return "exited with status 0 (a command that daemonizes itself is followed only with cgroup containment)"
            }
            guard isPopulated() else { return "exited with status 0, and nothing it started is left" }
            state.daemonized = true
            return nil
        }
    }

    /// A cgroup that cannot be read counts as populated: waiting on proves nothing wrong.
    private func isPopulated() -> Bool {
        do {
            return try cgroup?.events()?.populated ?? false
        } catch {
            return true
        }
    }
}
