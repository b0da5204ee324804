import DevctlProcesses
import DevctlSystem
import DevctlText
/// A service was spawned but could not be recorded in `.pids/`: it is stopped again at once, because
/// a service the tracking files do not name is one a later `stop` could find only by its marker.
public struct TrackingWriteError: Error, Sendable, CustomStringConvertible {
    public var service: String
    public var pid: Int32
    public var directory: String
    public var cause: String
    /// What became of the unrecorded service: "stopped it again", or why it could not be.
    public var cleanup: String

    public init(service: String, pid: Int32, directory: String, cause: String, cleanup: String) {
        self.service = service
        self.pid = pid
        self.directory = directory
        self.cause = cause
        self.cleanup = cleanup
    }

    public var description: String {
        "cannot record '\(service)' (pid \(pid)) in '\(directory)': \(cause); \(cleanup)"
    }
}
