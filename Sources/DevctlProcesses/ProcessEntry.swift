import DevctlSystem
/// One process as seen in one scan of `/proc`: everything status, stop and the orphan sweep need
/// to decide about it without reading `/proc` again.
public struct ProcessEntry: Sendable, Equatable {
    public var stat: ProcessStat
    public var uid: UInt32
    /// The argument vector from `/proc/PID/cmdline`; empty for kernel threads and zombies.
    public var arguments: [String]

    public init(stat: ProcessStat, uid: UInt32, arguments: [String]) {
        self.stat = stat
        self.uid = uid
        self.arguments = arguments
    }

    public var pid: Int32 { stat.pid }
    public var ppid: Int32 { stat.ppid }
    public var pgid: Int32 { stat.pgid }
    public var sid: Int32 { stat.sid }
    public var identity: ProcessIdentity { ProcessIdentity(pid: stat.pid, startTime: stat.startTime) }

    /// See `ProcessStat.isGone`.
    public var isGone: Bool { stat.isGone }
    /// Stopped by a signal (SIGSTOP, or a paused service).
    public var isStopped: Bool { stat.state == "T" }

    /// The command line as a user would type it, or `[comm]` when there is none.
    public var commandLine: String {
        arguments.isEmpty ? "[\(stat.comm)]" : arguments.joined(separator: " ")
    }
}

/// A process's identity: its PID and its start time. A PID alone is reused by the kernel; the
/// pair is not, so devctl never mistakes a new process for a service that is gone.
public struct ProcessIdentity: Hashable, Sendable, Codable, CustomStringConvertible {
    public var pid: Int32
    public var startTime: UInt64

    public init(pid: Int32, startTime: UInt64) {
        self.pid = pid
        self.startTime = startTime
    }

    public var description: String { "\(pid)@\(startTime)" }
}
