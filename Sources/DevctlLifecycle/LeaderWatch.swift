import DevctlProcesses
import DevctlSystem
import DevctlTracking
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Watches a service this start spawned while its readiness is awaited, through what its keeper
/// records: a run that ended (with its exit status), a restart under way (the wait goes on, SPEC
/// §5), a oneshot that finished, or a leader that exited 0 while processes of its service remain
/// (`pg_ctl start`, `redis-server --daemonize yes`, nginx's default) — a service left running.
/// What remains is the cgroup's members with containment; without it, the processes descending
/// from its keeper, still in the leader's session or group, or carrying the service's marker.
final class LeaderWatch: Sendable {
    let pid: Int32
    let service: String
    let marker: String
    let cgroup: CgroupFolder?
    let store: TrackingStore
    private let state = Mutex<(daemonized: Bool, leader: Int32)>((false, 0))

    init(pid: Int32, service: String, marker: String, cgroup: CgroupFolder?, store: TrackingStore) {
        self.pid = pid
        self.service = service
        self.marker = marker
        self.cgroup = cgroup
        self.store = store
        state.withLock { $0.leader = pid }
    }

    /// Where the watched service is.
    enum Progress: Equatable {
        case running
        /// A oneshot exited 0.
        case done
        /// Why waiting for it is pointless ("exited with status 1").
        case ended(String)
    }

    /// The leader exited 0 and left processes of its service running.
    var daemonized: Bool { state.withLock { $0.daemonized } }

    /// The leader of the current run (a restart replaces it).
    var leader: Int32 { state.withLock { $0.leader } }

    func progress() -> Progress {
        guard let record = store.supervision(of: service) else { return .ended("its keeper's record is gone") }
        if let leader = record.leader { state.withLock { $0.leader = leader.pid } }
        switch record.state {
        case .restarting:
            return .running
        case .done:
            return .done
        case .dead where record.lastExit?.succeeded == true:
            return .ended("exited with status 0, and nothing it started is left")
        case .dead, .failed:
            let exit = record.lastExit.map(\.description) ?? "exited"
            return .ended(record.state == .failed ? "\(exit); gave up after \(record.restarts) restarts" : exit)
        case .running:
            if record.daemonized {
                state.withLock { $0.daemonized = true }
                return survivors().isEmpty ? .ended("exited with status 0, and what it started is gone too") : .running
            }
            guard let leader = record.leader, !ProcessStat.mayBeAlive(leader) else { return .running }
            if let exit = record.lastExit { return .ended(exit.description) }
            // The keeper is gone (killed) and so is the leader: nobody saw how it ended.
            return ProcessStat.mayBeAlive(record.keeper) ? .running : .ended("exited (its keeper is gone, so how is unknown)")
        }
    }

    /// The leader of the run its keeper has now, which a restart during the wait made another
    /// than the one spawned; nil while no run is under way or the leader daemonized.
    func currentRun() -> ProcessIdentity? {
        guard let record = store.supervision(of: service), record.state == .running, !record.daemonized else { return nil }
        return record.leader
    }

    /// Why waiting for readiness is pointless, or nil while the service runs.
    func exitReason() -> String? {
        if case .ended(let reason) = progress() { return reason }
        return nil
    }

    /// For a service without a health check, which must stay up through a short settle: any exit
    /// meanwhile fails the start, even one its keeper restarts.
    func settleFailure() -> String? {
        // A leader seen gone before its keeper wrote down how it ended: wait (briefly) for the
        // record, or a busy machine would let a crash pass the settle.
        var backoff = Backoff(maximum: 0.02)
        let deadline = ContinuousClock.now + .seconds(2)
        while isCatchingUp(), ContinuousClock.now < deadline { backoff.pause() }
        if let reason = exitReason() { return reason }
        guard let record = store.supervision(of: service), !record.daemonized, let exit = record.lastExit,
              record.state == .restarting || record.restarts > 0 else { return nil }
        return "\(exit); its keeper restarts it"
    }

    /// The leader is gone but its live keeper's record still shows the run: it has not reaped it yet.
    private func isCatchingUp() -> Bool {
        guard let record = store.supervision(of: service), record.state == .running, !record.daemonized,
              record.lastExit == nil, let leader = record.leader else { return false }
        return !ProcessStat.mayBeAlive(leader) && ProcessStat.mayBeAlive(record.keeper)
    }

    /// The live processes the leader left behind, oldest first. A read that fails proves nothing
    /// gone, so it answers with the leader's own PID as a stand-in.
    func survivors() -> [ProcessStat] {
        let pid = leader
        do {
            if let cgroup {
                return try cgroup.members().compactMap { pid throws(SystemCallError) in try ProcessStat.read(pid: pid) }
                    .filter { !$0.isGone }.sorted { ($0.startTime, $0.pid) < ($1.startTime, $1.pid) }
            }
            let request = ProcessDetailRequest(environmentKeys: [Project.markerVariable, Project.serviceVariable], owner: geteuid())
            let snapshot = try ProcessSnapshot.scan(details: request)
            // What the keeper was left (its service's orphans are reparented to it), however it hid.
            let keeper = store.supervision(of: service)?.keeper
            let family = keeper.flatMap { snapshot.live($0) }.map { Set(snapshot.descendants(of: $0.pid).map(\.pid)) } ?? []
            return snapshot.entries.values.filter { entry in
                !entry.isGone && entry.uid == geteuid()
                    && (entry.sid == pid || entry.pgid == pid || family.contains(entry.pid)
                        || (entry.environment[Project.markerVariable] == marker && entry.environment[Project.serviceVariable] == service))
            }.map(\.stat).sorted { ($0.startTime, $0.pid) < ($1.startTime, $1.pid) }
        } catch {
            return [ProcessStat(pid: pid, comm: "?", state: "S", ppid: 0, pgid: pid, sid: pid, cpuTicks: 0, startTime: 0, rssPages: 0)]
        }
    }
}
