@testable import DevctlConfig
@testable import DevctlLifecycle
@testable import DevctlProcesses
@testable import DevctlSystem
@testable import DevctlTracking

/// Processes and scans made up in memory, so the decisions can be checked rule by rule without
/// starting a process. User 1000 runs devctl as PID 50, under its shell 40; PID 1 is init.
enum SnapshotFixture {
    static let user: UInt32 = 1000
    static let marker = "shop-0123456789abcdef"
    static let root = "/home/dev/shop"

    /// One process; `sid` and `pgid` default to the PID itself (a session leader, as devctl
    /// spawns services), its start time to ten times its PID.
    static func process(_ pid: Int32, ppid: Int32 = 1, sid: Int32? = nil, pgid: Int32? = nil, uid: UInt32 = user,
                        state: Character = "S", tty: Int32 = 0, start: UInt64? = nil, arguments: [String] = [],
                        environment: EnvironmentReading = .values([:]), cwd: String? = nil) -> ProcessEntry {
        ProcessEntry(stat: ProcessStat(pid: pid, comm: "p\(pid)", state: state, ppid: ppid, pgid: pgid ?? sid ?? pid,
                                       sid: sid ?? pid, tty: tty, cpuTicks: 0, startTime: start ?? UInt64(pid) * 10,
                                       rssPages: 1),
                     uid: uid, arguments: arguments, environment: environment, workingDirectory: cwd)
    }

    /// The environment of a process of this project's service `service` (or of project `project`).
    static func marked(_ service: String?, project: String = marker) -> EnvironmentReading {
        var values = [Project.markerVariable: project]
        if let service { values[Project.serviceVariable] = service }
        return .values(values)
    }

    /// A scan holding `processes`, init, and devctl (50) under its shell (40) at a terminal.
    static func scan(_ processes: [ProcessEntry], unreadable: [Int32: SystemCallError] = [:]) -> ProjectScan {
        let base = [process(1, ppid: 0, uid: 0), process(40, ppid: 1, tty: 34816), process(50, ppid: 40, sid: 40, tty: 34816)]
        let snapshot = ProcessSnapshot(entries: base + processes, uptime: 1000, unreadable: unreadable)
        return ProjectScan(processes: snapshot, user: user, protected: snapshot.lineage(of: 50))
    }

    static let permissionDenied = SystemCallError("open(/proc/77/environ)", Errno(rawValue: 13))
}
