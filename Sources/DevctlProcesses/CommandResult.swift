import DevctlSystem
/// How an external command ended and everything it printed, so that callers decide what a
/// non-zero exit means (for `docker` it is often an answer, not an error).
public struct CommandResult: Sendable, Equatable {
    /// The exit status, or nil when a signal ended the command.
    public var exitStatus: Int32?
    /// The signal that ended the command, or nil when it exited.
    public var signal: Int32?
    public var stdout: String
    public var stderr: String
    /// The command outlived its time bound, and its whole process group was killed.
    public var timedOut: Bool
    public var duration: Duration

    public init(exitStatus: Int32?, signal: Int32?, stdout: String, stderr: String, timedOut: Bool, duration: Duration) {
        self.exitStatus = exitStatus
        self.signal = signal
        self.stdout = stdout
        self.stderr = stderr
        self.timedOut = timedOut
        self.duration = duration
    }

    /// The command finished in time with exit status 0.
    public var succeeded: Bool { exitStatus == 0 && !timedOut }
}

/// Why a command could not be started at all, as opposed to one that ran and failed.
public enum CommandError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No executable of that name on the `PATH` the command was given (or no such file).
    case executableNotFound(String)
    /// The executable exists, but spawning it failed (a missing working directory, for example).
    case launchFailed(executable: String, reason: String)

    public var description: String {
        switch self {
        case .executableNotFound(let name): "'\(name)' was not found on PATH."
        case .launchFailed(let executable, let reason): "could not run '\(executable)': \(reason)."
        }
    }
}
