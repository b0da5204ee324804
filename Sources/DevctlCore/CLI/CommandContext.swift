#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What every command gets: the parsed invocation, the terminal, the environment, and the one way
/// to find and load the project (so discovery and its errors are the same everywhere).
public struct CommandContext: Sendable {
    public var invocation: Invocation
    public var terminal: Terminal
    public var environment: [String: String]
    public var currentDirectory: String

    /// How long a mutating command waits for another devctl to finish before giving up.
    public var lockTimeout: Double = 5

    public func loadProject() throws -> Project {
        let file: String
        do {
            file = try ConfigLocator.locate(explicit: invocation.file, environment: environment,
                                            currentDirectory: currentDirectory)
        } catch {
            throw CommandFailure(error.description, exitCode: ExitCode.usage)
        }
        do {
            return Project(config: try ConfigLoader.load(file: file))
        } catch {
            throw CommandFailure(error.description, exitCode: ExitCode.usage)
        }
    }

    /// Takes the project lock for a command that changes tracking state, or fails with who holds it.
    public func lock(_ project: Project) throws -> FileLock {
        try project.store.prepare()
        let lock = FileLock(path: project.store.lockFile)
        let description = (["devctl", invocation.command] + invocation.names).joined(separator: " ")
        if let holder = try lock.acquire(timeout: lockTimeout, describing: description) {
            let pid = holder.pid.map { "pid \($0)" } ?? "unknown pid"
            throw CommandFailure("another devctl (\(pid)) is running: \(holder.command)")
        }
        return lock
    }

    public func launcher(for project: Project) -> ServiceLauncher {
        ServiceLauncher(project: project, baseEnvironment: environment)
    }
}
