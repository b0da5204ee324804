import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif

/// Watches the services of an `up` session while it follows their output, without holding the
/// lock: other terminals may stop, restart or start them meanwhile. It notices at once a leader
/// that is gone — with its exit status when this devctl spawned it — and then tells apart a
/// service that died on its own from one another devctl stopped or replaced. That verdict is
/// taken only while no other devctl holds the lock (it is taken for the instant of one read), so
/// a `restart` half-way through is never mistaken for a stop.
public final class ServiceWatch {
    public enum Event: Sendable, Equatable {
        /// The leader exited on its own; its status is known only when this devctl is its parent.
        case exited(name: String, pid: Int32, status: ExitStatus?)
        /// Another devctl stopped it: its tracking entry is gone.
        case stoppedElsewhere(name: String, pid: Int32)
        /// Another devctl started it, replacing `previous` when it was running (a restart).
        case startedElsewhere(name: String, pid: Int32, previous: Int32?)
    }

    private struct Watched {
        var name: String
        /// nil while the service is not running.
        var leader: TrackedService?
        /// Spawned by this devctl, so `waitpid` gives its exit status.
        var isChild: Bool
        /// Set when the leader was seen gone, until the verdict: the status, if known.
        var gone: ExitStatus??
    }

    private let project: Project
    private var watched: [Watched]

    /// `services` in the session, each with its leader's tracking entry (nil when it did not start)
    /// and whether this devctl spawned it.
    public init(project: Project, services: [(name: String, leader: TrackedService?, isChild: Bool)]) {
        self.project = project
        watched = services.map { Watched(name: $0.name, leader: $0.leader, isChild: $0.isChild, gone: nil) }
    }

    /// The services whose leader is (as far as the last poll knows) running.
    public var running: [String] { watched.filter { $0.leader != nil }.map(\.name) }

    /// Looks once; returns what changed since the last look.
    public func poll() -> [Event] {
        // A leader seen gone earlier still waits for its verdict.
        var changed = watched.contains { $0.gone != nil }
        for index in watched.indices where watched[index].gone == nil {
            guard let leader = watched[index].leader else { continue }
            if watched[index].isChild, let status = Spawner.reap(leader.pid) {
                watched[index].gone = .some(status)
                changed = true
            } else if !Self.isAlive(leader) {
                watched[index].gone = .some(watched[index].isChild ? Spawner.reap(leader.pid) : nil)
                changed = true
            }
        }
        if !changed {
            // A cheap look at the tracking files for a service another devctl (re)started.
            let entries: [TrackedService]
            do {
                entries = try project.store.read().entries
            } catch {
                // Files that cannot be read now say nothing; the next poll looks again.
                return []
            }
            changed = watched.contains { service in
                guard let entry = entries.first(where: { $0.name == service.name }) else { return false }
                return entry.pid != service.leader?.pid && Self.isAlive(entry)
            }
        }
        guard changed else { return [] }
        return judge()
    }

    /// Decides what the changes mean, from the tracking files as they are between two devctl
    /// operations; with another devctl at work, the next poll decides instead.
    private func judge() -> [Event] {
        let lock = FileLock(path: project.store.lockFile)
        do {
            guard try lock.acquire(timeout: 0, describing: "devctl up (checking its services)") == nil else { return [] }
        } catch {
            return []
        }
        defer { lock.release() }
        let tracking: TrackingStore.Snapshot
        let scan: ProjectScan
        do {
            tracking = try project.store.read()
            scan = try ProjectScan.take(.services(tracked: Set(tracking.entries.map(\.pid))), for: project)
        } catch {
            // Nothing can be judged now; the next poll tries again.
            return []
        }
        let inspection = ServiceInspector(project: project).inspect(tracking, scan: scan)
        var events = [Event]()
        for index in watched.indices {
            let runtime = inspection.runtime(watched[index].name)
            let current = runtime?.leader.flatMap { _ in runtime?.tracked }
            let old = watched[index].leader
            if let current, current.pid != old?.pid {
                events.append(.startedElsewhere(name: watched[index].name, pid: current.pid, previous: old?.pid))
                watched[index] = Watched(name: watched[index].name, leader: current, isChild: false, gone: nil)
            } else if let old, let gone = watched[index].gone {
                if runtime?.tracked?.pid == old.pid {
                    events.append(.exited(name: watched[index].name, pid: old.pid, status: gone))
                } else {
                    events.append(.stoppedElsewhere(name: watched[index].name, pid: old.pid))
                }
                watched[index].leader = nil
                watched[index].gone = nil
            }
        }
        return events
    }

    /// Whether the leader still runs; a read that fails proves nothing, so it counts as running
    /// and the next poll looks again.
    private static func isAlive(_ entry: TrackedService) -> Bool {
        do {
            if let startTime = entry.startTime {
                return try ProcessSnapshot.isAlive(ProcessIdentity(pid: entry.pid, startTime: startTime))
            }
            return try ProcessStat.read(pid: entry.pid).map { !$0.isGone } ?? false
        } catch {
            return true
        }
    }
}
