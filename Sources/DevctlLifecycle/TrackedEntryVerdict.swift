import DevctlProcesses
import DevctlTracking

/// Whether one tracking entry still names its service's leader: a pure judgement of the entry
/// against one scan, so each rule can be tested without a process.
public enum TrackedEntryVerdict: Sendable, Equatable {
    /// The recorded leader, alive and provably the service's.
    case trusted(ProcessEntry)
    /// Its process is gone: the service is dead.
    case gone(String)
    /// Its PID now names something that is not the service's (reused, another user's, PID 1,
    /// devctl itself, another service): never signalled.
    case untrusted(String)
    /// Its process could not be read: neither gone nor proven, so a stop must not claim either.
    case unproven(String)

    /// Judges `entry`. A leader recorded with its start time is trusted on its identity (PID,
    /// start time, process group, and still leading its own session as devctl spawned it),
    /// whatever its environment now says — servers rewrite theirs when they set a process title.
    /// Any other entry is trusted only when the process carries `marker`.
    public static func judge(_ entry: TrackedService, marker: String, scan: ProjectScan) -> TrackedEntryVerdict {
        if entry.pid == 1 { return .untrusted("PID 1 is never a service") }
        if scan.protected.contains(entry.pid) { return .untrusted("PID \(entry.pid) is devctl itself or one of its parents") }
        if let error = scan.processes.unreadable[entry.pid] { return .unproven("cannot read its /proc entry: \(error)") }
        guard let live = scan.processes[entry.pid], !live.isGone else { return .gone("exited") }
        if let start = entry.startTime, start != live.stat.startTime { return .untrusted("PID reused (start time differs)") }
        if live.uid != scan.user { return .untrusted("PID \(entry.pid) belongs to another user (uid \(live.uid))") }
        if live.pgid != entry.pgid { return .untrusted("PID \(entry.pid) is no longer in process group \(entry.pgid)") }
        switch live.environment {
        case .values(let values):
            // The project's, but another service's: believing it would let 'stop api' stop 'web'.
            if let service = values[Project.serviceVariable], service != entry.name,
               values[Project.markerVariable] == marker {
                return .untrusted("PID \(entry.pid) is service '\(service)', not '\(entry.name)'")
            }
            if !provenByIdentity(entry, live), values[Project.markerVariable] != marker {
                return .untrusted("PID \(entry.pid) was not started by this project (no \(Project.markerVariable) marker)")
            }
        case .unreadable(let error) where !provenByIdentity(entry, live):
            return .unproven("cannot read its environment: \(error)")
        case .notRead where !provenByIdentity(entry, live):
            return .unproven("its environment was not read")
        case .unreadable, .notRead:
            break
        }
        return .trusted(live)
    }

    /// Recorded with its start time, and a session leader as devctl spawns every leader (and as
    /// daemons that detach make themselves): its identity alone proves it is the one recorded.
    private static func provenByIdentity(_ entry: TrackedService, _ live: ProcessEntry) -> Bool {
        entry.startTime != nil && live.sid == live.pid
    }
}
