import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
/// The compose project behind a devctl project: the name compose labels its containers with, and
/// the file and folder compose reads, so that every compose command and every container query
/// addresses exactly this project's containers and no other's.
public struct ComposeProject: Sendable, Equatable {
    /// Already normalized (see `ComposeRunner.normalizedProjectName`).
    public var name: String
    /// Absolute path of the compose file.
    public var file: String
    /// Where compose runs, so relative paths and `.env` resolve as they do by hand.
    public var workingDirectory: String

    public init(name: String, file: String, workingDirectory: String) {
        self.name = name
        self.file = file
        self.workingDirectory = workingDirectory
    }
}
