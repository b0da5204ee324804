import DevctlSystem

/// One process as seen in one scan of `/proc`: everything status, stop and the orphan sweep need
/// to decide about it without reading `/proc` again.
public struct ProcessEntry: Sendable, Equatable {
    public var stat: ProcessStat
    /// Whose process it is: the owner of its `/proc` files, and for one owned by root the real uid
    /// from `/proc/PID/status` — a non-dumpable process (ssh-agent, gpg-agent) has its files owned
    /// by root whoever runs it (see `ProcReader`).
    public var uid: UInt32
    /// The argument vector from `/proc/PID/cmdline`; empty for kernel threads, zombies, and when
    /// the scan did not ask for it.
    public var arguments: [String]
    /// The environment variables the scan asked for, as far as they could be read.
    public var environment: EnvironmentReading
    /// The working directory, when the scan asked for it and could read it.
    public var workingDirectory: String?

    public init(stat: ProcessStat, uid: UInt32, arguments: [String], environment: EnvironmentReading = .notRead,
                workingDirectory: String? = nil) {
        self.stat = stat
        self.uid = uid
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
    }

    public var pid: Int32 { stat.pid }
    public var ppid: Int32 { stat.ppid }
    public var pgid: Int32 { stat.pgid }
    public var sid: Int32 { stat.sid }
    public var identity: ProcessIdentity { ProcessIdentity(pid: stat.pid, startTime: stat.startTime) }
    /// Whether the process has a controlling terminal (a person's shell, editor or `tail -f`).
    public var hasTerminal: Bool { stat.tty != 0 }

    /// See `ProcessStat.isGone`.
    public var isGone: Bool { stat.isGone }
    /// Stopped by a signal (SIGSTOP, or a paused service).
    public var isStopped: Bool { stat.state == "T" }

    /// The command line as a user would type it, or `[comm]` when there is none.
    public var commandLine: String {
        arguments.isEmpty ? "[\(stat.comm)]" : arguments.joined(separator: " ")
    }
}

/// What a scan learnt of a process's environment. Servers rewrite theirs when they set their
/// process title, so a value found proves something, and a value missing proves nothing.
public enum EnvironmentReading: Sendable, Equatable {
    /// The scan did not ask (another user's process, or no variables wanted).
    case notRead
    /// The wanted variables that were set; absent keys were not.
    case values([String: String])
    /// `/proc/PID/environ` could not be read for a reason other than the process's exit.
    case unreadable(SystemCallError)

    /// The value of `key`, when it was read and set.
    public subscript(key: String) -> String? {
        if case .values(let values) = self { return values[key] }
        return nil
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
