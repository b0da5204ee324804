import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif

/// Finds service leaders that are alive but missing from the tracking files: spawned by a devctl
/// that was killed before it could record them, or hidden behind tracking state devctl refused to
/// trust. devctl spawns every leader as a session leader carrying `DEVCTL_PROJECT` and
/// `DEVCTL_SERVICE`, so a live session leader of the current user with this project's marker is
/// the project's by the same rule the orphan sweep uses; per service the oldest one is the leader
/// (a descendant that called `setsid` is always younger).
public enum UntrackedLeaders {
    /// The leader found for each service name in `names`, from one look at `table`. Only session
    /// leaders' environments are read, so this stays cheap on a busy machine.
    public static func find(marker: String, names: Set<String>, in table: ProcessTable,
                            protected: Set<Int32>, user: uid_t = geteuid()) -> [String: ProcessEntry] {
        var found = [String: ProcessEntry]()
        for entry in table.entries.values where entry.pid > 1 && entry.pid == entry.sid && entry.pid == entry.pgid {
            guard !entry.isGone, entry.uid == user, !protected.contains(entry.pid),
                  let environment = ProcessDetails.environment(of: entry.pid),
                  environment[Project.markerVariable] == marker,
                  let name = environment[Project.serviceVariable], names.contains(name) else { continue }
            if let current = found[name], (current.stat.startTime, current.pid) < (entry.stat.startTime, entry.pid) { continue }
            found[name] = entry
        }
        return found
    }
}
