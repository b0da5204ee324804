import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif

/// Watches the services of an `up` session while it follows their output, without holding the
/// lock: other terminals may stop, restart or start them meanwhile. Each service's keeper record
/// tells at once how a run ended (its exit code or signal) and whether the keeper restarts it,
/// gave up, or is done; a service without a keeper (its keeper was killed) is noticed by its
/// leader being gone. A change the record does not explain — another devctl stopped or replaced
/// the service — is judged only while no other devctl holds the lock (it is taken for the instant
/// of one read), so a `restart` half-way through is never mistaken for a stop.
public final class ServiceWatch {
    public enum Event: Sendable, Equatable {
        /// A run ended on its own: how (nil when no keeper saw it), and what happens next.
        case exited(name: String, pid: Int32, exit: SupervisionRecord.Exit?, next: Next)
        /// Its keeper started it again.
        case restarted(name: String, pid: Int32, restart: Int)
        /// Another devctl stopped it: its tracking entry is gone.
        case stoppedElsewhere(name: String, pid: Int32)
        /// Another devctl started it, replacing `previous` when it was running (a restart).
        case startedElsewhere(name: String, pid: Int32, previous: Int32?)
    }

    /// What follows an exit.
    public enum Next: Sendable, Equatable {
        /// The keeper restarts it after this many seconds; `restart` counts from 1.
        case restarting(inSeconds: Double, restart: Int)
        /// The keeper gave up after this many restarts.
        case failed(restarts: Int)
        /// A oneshot finished with exit 0.
        case done
        /// Nothing: the service stays down.
        case dead

        /// Whether the service is over (not to be restarted).
        public var isFinal: Bool { if case .restarting = self { false } else { true } }
    }

    private struct Watched {
        var name: String
        /// nil while the service is not running.
        var leader: TrackedService?
        /// The keeper whose record speaks for it; nil without one.
        var keeper: ProcessIdentity?
        /// When the last exit announced happened, so each is announced once.
        var lastExitAt: Int64?
        /// Set when the leader was seen gone without a record to explain it, until the verdict.
        var gone = false
        /// Waiting for its keeper to restart it.
        var restarting = false
    }

    private let project: Project
    private var watched: [Watched]

    /// `services` in the session, each with its leader's tracking entry (nil when it did not start).
    public init(project: Project, services: [(name: String, leader: TrackedService?)]) {
        self.project = project
        watched = services.map { name, leader in
            let record = leader == nil ? nil : project.store.supervision(of: name)
            // A run that already ended (a failed start) is not running, whatever the files say.
            let over = record.map { $0.state != .running && $0.state != .restarting } ?? false
            return Watched(name: name, leader: over ? nil : leader, keeper: over ? nil : record?.keeper,
                           lastExitAt: record?.lastExit?.at, restarting: record?.state == .restarting)
        }
    }

    /// The services running or about to be restarted, as far as the last poll knows.
    public var running: [String] { watched.filter { $0.leader != nil || $0.restarting }.map(\.name) }

    /// Looks once; returns what changed since the last look.
    public func poll() -> [Event] {
        var events = [Event]()
        var unexplained = watched.contains { $0.gone }
        for index in watched.indices where !watched[index].gone {
            if let keeper = watched[index].keeper, let record = project.store.supervision(of: watched[index].name),
               record.keeper == keeper {
                events += follow(record, at: index)
            } else if let leader = watched[index].leader, watched[index].keeper != nil || !Self.isAlive(leader) {
                // The record is gone or names another keeper (another devctl at work), or there is
                // no keeper and the leader is gone.
                watched[index].gone = true
                unexplained = true
            }
        }
        if !unexplained {
            // A cheap look at the tracking files for a service another devctl (re)started.
            guard let entries = try? project.store.read().entries else { return events }
            unexplained = watched.contains { service in
                guard let entry = entries.first(where: { $0.name == service.name }) else { return false }
                return entry.pid != service.leader?.pid && !service.restarting && Self.isAlive(entry)
            }
        }
        return unexplained ? events + judge() : events
    }

    /// The news in a record of this session's keeper: an exit, then perhaps a restart.
    private func follow(_ record: SupervisionRecord, at index: Int) -> [Event] {
        var events = [Event]()
        let name = watched[index].name
        if let exit = record.lastExit, exit.at != watched[index].lastExitAt, !(record.state == .running && record.daemonized) {
            watched[index].lastExitAt = exit.at
            let next: Next = switch record.state {
            case .restarting:
                .restarting(inSeconds: Double(max(0, (record.restartAt ?? 0) - LogStamp.nowMilliseconds())) / 1000,
                            restart: record.restarts + 1)
            case .running: .restarting(inSeconds: 0, restart: record.restarts)
            case .failed: .failed(restarts: record.restarts)
            case .done: .done
            case .dead: .dead
            }
            events.append(.exited(name: name, pid: watched[index].leader?.pid ?? record.leader?.pid ?? 0, exit: exit, next: next))
            watched[index].restarting = !next.isFinal
            if next.isFinal || record.state == .restarting { watched[index].leader = nil }
        }
        if record.state == .running, !record.daemonized, let leader = record.leader, record.restarts > 0,
           leader.pid != watched[index].leader?.pid {
            watched[index].leader = TrackedService(name: name, pid: leader.pid, pgid: leader.pid, startTime: leader.startTime)
            watched[index].restarting = false
            events.append(.restarted(name: name, pid: leader.pid, restart: record.restarts))
        }
        return events
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
            let name = watched[index].name
            let runtime = inspection.runtime(name)
            let current = runtime?.leader.flatMap { _ in runtime?.tracked }
            let old = watched[index].leader
            if let current, current.pid != old?.pid {
                events.append(.startedElsewhere(name: name, pid: current.pid, previous: old?.pid))
                let record = tracking.records[name]
                watched[index] = Watched(name: name, leader: current, keeper: record?.keeper, lastExitAt: record?.lastExit?.at)
            } else if let old, watched[index].gone {
                if runtime?.tracked?.pid == old.pid {
                    events.append(.exited(name: name, pid: old.pid, exit: nil, next: .dead))
                } else {
                    events.append(.stoppedElsewhere(name: name, pid: old.pid))
                }
                watched[index] = Watched(name: name, leader: nil, keeper: nil, lastExitAt: nil)
            } else {
                watched[index].gone = false
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
