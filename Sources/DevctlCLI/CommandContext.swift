import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
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

    /// Takes the project lock for a command that changes tracking state, waiting up to `timeout`
    /// seconds (`DEVCTL_LOCK_TIMEOUT` wins), or fails with who holds it. A `.pids/` folder that fails
    /// `TrackingTrust` is refused first, unless the caller may override it (`stop --force`) and does.
    public func lock(_ project: Project, timeout: Double = 5, overridableByForce: Bool = false) throws -> FileLock {
        if let problem = TrackingTrust.check(project.store) {
            guard overridableByForce, problem.isOverridable, invocation.has("force") else {
                throw CommandFailure(problem.message(suggestingForce: overridableByForce))
            }
            terminal.warning("'\(problem.path)' \(problem.reason); trusting it anyway because of --force")
        }
        do {
            try project.store.prepare()
        } catch {
            throw CommandFailure("cannot keep tracking state in '\(project.store.directory)': \(error)")
        }
        let lock = FileLock(path: project.store.lockFile)
        let description = (["devctl", invocation.command] + invocation.names).joined(separator: " ")
        let override = environment["DEVCTL_LOCK_TIMEOUT"].flatMap(Double.init).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
        let holder: FileLock.Holder?
        do {
            holder = try lock.acquire(timeout: override ?? timeout, describing: description)
        } catch {
            throw CommandFailure("cannot take the lock in '\(project.store.directory)': \(error)")
        }
        if let holder {
            let pid = holder.pid.map { "pid \($0)" } ?? "unknown pid"
            throw CommandFailure("another devctl (\(pid)) is running: \(holder.command)")
        }
        // A holder killed mid-write left each file whole, but maybe not all of them updated.
        _ = try? project.store.reconcile()
        return lock
    }

    public func launcher(for project: Project) -> ServiceLauncher {
        ServiceLauncher(project: project, baseEnvironment: environment)
    }
}
