import DevctlProcesses
import DevctlSystem
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Watches a leader this start spawned while its readiness is awaited, and tells a crash from a
/// command that daemonized itself: a leader that exits 0 while processes of its service remain
/// (`pg_ctl start`, `redis-server --daemonize yes`, nginx's default) left its service running.
/// What remains is the cgroup's members with containment; without it, the processes still in the
/// leader's session or group or carrying the service's marker — a daemon that leaves its session
/// and rewrites its environment can be followed only through its cgroup.
final class LeaderWatch: Sendable {
    let pid: Int32
    let service: String
    let marker: String
    let cgroup: CgroupFolder?
    private let state = Mutex<(reaped: Bool, daemonized: Bool)>((false, false))

    init(pid: Int32, service: String, marker: String, cgroup: CgroupFolder?) {
        self.pid = pid
        self.service = service
        self.marker = marker
        self.cgroup = cgroup
    }

    /// The leader exited 0 and left processes of its service running.
    var daemonized: Bool { state.withLock { $0.daemonized } }

    /// Why waiting for readiness is pointless ("exited with status 1"), or nil while the service
    /// runs — its leader, or after the leader daemonized, what it left.
    func exitReason() -> String? {
        state.withLock { state -> String? in
            if state.daemonized {
                return survivors().isEmpty ? "exited with status 0, and what it started is gone too" : nil
            }
            guard !state.reaped, let status = Spawner.reap(pid) else { return nil }
            state.reaped = true
            guard status == .exited(0) else { return "\(status)" }
            guard !survivors().isEmpty else {
                return cgroup == nil
                    ? "exited with status 0 and left nothing devctl can follow (a daemon that leaves its session and "
                        + "rewrites its environment is followed only with cgroup containment)"
                    : "exited with status 0, and nothing it started is left"
            }
            state.daemonized = true
            return nil
        }
    }

    /// The live processes the leader left behind, oldest first. A read that fails proves nothing
    /// gone, so it answers with the leader's own PID as a stand-in.
    func survivors() -> [ProcessStat] {
        do {
            if let cgroup {
                return try cgroup.members().compactMap { pid throws(SystemCallError) in try ProcessStat.read(pid: pid) }
                    .filter { !$0.isGone }.sorted { ($0.startTime, $0.pid) < ($1.startTime, $1.pid) }
            }
            let request = ProcessDetailRequest(environmentKeys: [Project.markerVariable, Project.serviceVariable], owner: geteuid())
            return try ProcessSnapshot.scan(details: request).entries.values.filter { entry in
                !entry.isGone && entry.uid == geteuid()
                    && (entry.sid == pid || entry.pgid == pid
                        || (entry.environment[Project.markerVariable] == marker && entry.environment[Project.serviceVariable] == service))
            }.map(\.stat).sorted { ($0.startTime, $0.pid) < ($1.startTime, $1.pid) }
        } catch {
            return [ProcessStat(pid: pid, comm: "?", state: "S", ppid: 0, pgid: pid, sid: pid, cpuTicks: 0, startTime: 0, rssPages: 0)]
        }
    }
}
