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

/// What every command gets besides its own options: the global `-f/--file`, the terminal, the
/// environment, and the one way to find and load the project (so discovery and its errors are the
/// same everywhere) and to lock it.
public struct CommandContext: Sendable {
    /// `-f/--file`.
    public var file: String?
    /// `devctl stop api`: how this invocation names itself to another devctl waiting for the lock.
    public var commandLine: String
    public var terminal: Terminal
    public var environment: [String: String]
    public var currentDirectory: String

    public func loadProject() throws -> Project {
        let path: String
        do {
            path = try ConfigLocator.locate(explicit: file, environment: environment,
                                            currentDirectory: currentDirectory)
        } catch {
            throw CommandFailure(error.description, exitCode: ExitCode.usage)
        }
        do {
            return Project(config: try ConfigLoader.load(file: path))
        } catch {
            throw CommandFailure(error.description, exitCode: ExitCode.usage)
        }
    }

    /// What `trust` does with a `.pids/` folder that fails `TrackingTrust`; only `stop` offers
    /// `--force` to override it.
    public enum UntrustedTracking: Sendable {
        /// Refuse it, saying how to fix it.
        case refuse
        /// Refuse it, and say that `--force` would trust it: `stop` without `--force`.
        case refuseSuggestingForce
        /// Trust it anyway, with a warning: `stop --force` (each entry is still verified).
        case trustBecauseOfForce
    }

    /// Checks `.pids/` with `TrackingTrust` — reading nothing in it, creating nothing — so that a
    /// command may read the tracking files before it locks (`stop` resolves names from them).
    /// Refuses a folder that fails, unless `untrusted` says `--force` overrides it.
    public func trust(_ project: Project, untrusted: UntrustedTracking = .refuse) throws -> TrustedTracking {
        guard let problem = TrackingTrust.check(project.store) else { return TrustedTracking(project: project) }
        switch untrusted {
        case .trustBecauseOfForce where problem.isOverridable:
            terminal.warning("'\(problem.path)' \(problem.reason); trusting it anyway because of --force")
            return TrustedTracking(project: project)
        case .refuse:
            throw CommandFailure(problem.message(suggestingForce: false))
        case .refuseSuggestingForce, .trustBecauseOfForce:
            throw CommandFailure(problem.message(suggestingForce: true))
        }
    }

    /// Takes the project lock for a command that changes tracking state, after `trust`: creates
    /// `.pids/`, then waits up to `timeout` seconds (`DEVCTL_LOCK_TIMEOUT` wins), or fails with who
    /// holds it.
    public func lock(_ project: Project, timeout: Double = 5) throws -> FileLock {
        try lock(trust(project), timeout: timeout)
    }

    /// Takes the project lock in a `.pids/` folder `trust` has passed; see `lock(_:timeout:)`.
    public func lock(_ tracking: TrustedTracking, timeout: Double = 5) throws -> FileLock {
        let project = tracking.project
        do {
            try project.store.prepare()
        } catch {
            throw CommandFailure("cannot keep tracking state in '\(project.store.directory)': \(error)")
        }
        let lock = FileLock(path: project.store.lockFile)
        let override = try lockTimeoutOverride()
        let holder: FileLock.Holder?
        do {
            holder = try lock.acquire(timeout: override ?? timeout, describing: commandLine)
        } catch {
            throw CommandFailure("cannot take the lock in '\(project.store.directory)': \(error)")
        }
        if let holder {
            let pid = holder.pid.map { "pid \($0)" } ?? "unknown pid"
            // The command line comes from the lock file, which anyone who can write .pids/ may have written.
            throw CommandFailure("another devctl (\(pid)) is running: \(ForeignText.escaped(holder.command))")
        }
        // A holder killed mid-write left each file whole, but maybe not all of them updated. When
        // they cannot be mended the command goes on: the identity file is the one it believes.
        do {
            try project.store.reconcile()
        } catch {
            terminal.warning("cannot bring the tracking files in '\(project.store.directory)' in line: \(error)")
        }
        return lock
    }

    /// `DEVCTL_LOCK_TIMEOUT`, bounded like `--timeout`; a value that is not one is a usage error,
    /// not a wait of 1e300 seconds (which trapped) nor a silent fallback to the default.
    private func lockTimeoutOverride() throws -> Double? {
        guard let text = environment["DEVCTL_LOCK_TIMEOUT"] else { return nil }
        guard let seconds = ArgumentParser.seconds(text) else {
            throw CommandFailure("DEVCTL_LOCK_TIMEOUT: expected \(ArgumentParser.secondsExpected), got '\(text)'",
                                 exitCode: ExitCode.usage)
        }
        return seconds
    }

    public func launcher(for project: Project) -> ServiceLauncher {
        ServiceLauncher(project: project, baseEnvironment: environment)
    }
}

/// A project whose `.pids/` folder passed `TrackingTrust` (or that `stop --force` chose to trust):
/// what `CommandContext.lock` takes, so the check and its warning happen once even when a command
/// reads the tracking files before it locks.
public struct TrustedTracking: Sendable {
    public let project: Project
}
