import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
/// The exit codes of SPEC §2, in one place.
public enum ExitCode {
    /// Success.
    public static let success: Int32 = 0
    /// The operation failed: a service unhealthy, stragglers remain, the lock held by another devctl.
    public static let failure: Int32 = 1
    /// Bad usage, an unknown service name, no services.json found, or a bad services.json.
    public static let usage: Int32 = 2
    /// `status` found a configured service not running.
    public static let notRunning: Int32 = 3
}

/// An error a command reports to the user as `error: …` with its exit code.
public struct CommandFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var exitCode: Int32

    public init(_ message: String, exitCode: Int32 = ExitCode.failure) {
        self.message = message
        self.exitCode = exitCode
    }

    public var description: String { message }
}
