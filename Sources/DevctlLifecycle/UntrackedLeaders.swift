import DevctlProcesses

/// Finds service leaders that are alive but missing from the tracking files: spawned by a devctl
/// that was killed before it could record them, or hidden behind tracking state devctl refused to
/// trust. devctl spawns every leader as a session leader carrying `DEVCTL_PROJECT` and
/// `DEVCTL_SERVICE`, so a live session leader of the current user with this project's marker is
/// the project's by the same rule the orphan sweep uses; per service the oldest one is the leader
/// (a descendant that called `setsid` is always younger).
public enum UntrackedLeaders {
    /// The leader found for each service name in `names`, from one scan.
    public static func find(marker: String, names: Set<String>, in scan: ProjectScan) -> [String: ProcessEntry] {
        var found = [String: ProcessEntry]()
        for entry in scan.processes.entries.values where entry.pid > 1 && entry.pid == entry.sid && entry.pid == entry.pgid {
            guard !entry.isGone, entry.uid == scan.user, !scan.protected.contains(entry.pid),
                  entry.environment[Project.markerVariable] == marker,
                  let name = entry.environment[Project.serviceVariable], names.contains(name) else { continue }
            if let current = found[name], (current.stat.startTime, current.pid) < (entry.stat.startTime, entry.pid) { continue }
            found[name] = entry
        }
        return found
    }
}
