import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation

/// `devctl restart [NAME…]`: under one lock, the stop of the named services (phases 1, 2, 3 for
/// them; with no NAME every configured service, but containers are left alone), then their start,
/// so no other devctl can slip in between. Exit 1 if either half fails.
public struct RestartCommand: Command, Equatable {
    /// The services to restart; empty means every configured one.
    public var names: [String]
    /// `-q/--quiet`.
    public var quiet: Bool

    public init(names: [String] = [], quiet: Bool = false) {
        self.names = names
        self.quiet = quiet
    }

    public init(_ invocation: Invocation) {
        self.init(names: invocation.names, quiet: invocation.has("quiet"))
    }

    public var quietsProgress: Bool { quiet }

    public func run(_ context: CommandContext) throws -> Int32 {
        let project = try context.loadProject()
        let names = try project.resolveNames(self.names)
        let lock = try context.lock(project)
        defer { lock.release() }
        let terminal = context.terminal
        SignalTrap.install()

        // Naming every service keeps the stop to processes: no compose down, no orphanPatterns.
        var stopOptions = StopOptions(names: names)
        stopOptions.isInterrupted = { SignalTrap.count > 0 }
        let shutdown = Shutdown(project: project, containers: { _ in .skipped("not part of a restart") })
        let lines = StopLines(terminal: terminal, containersNote: "containers are not part of a restart")
        let stop = try shutdown.run(stopOptions) { lines.render($0) }
        lines.finish()
        terminal.line(StopCommand.account(stop, terminal: terminal))
        if SignalTrap.count > 0 {
            Self.record(project, names: names, outcome: "interrupted")
            lock.release()
            SignalTrap.reraise()
            return ExitCode.failure
        }

        guard stop.succeeded else {
            // Starting beside a survivor would make a twin (two redis, one port): nothing starts.
            Self.record(project, names: names, outcome: "failed")
            terminal.line("\(terminal.fail) restart of \(names.joined(separator: ", ")) failed: the old processes "
                          + "could not be proven gone, so nothing was started")
            return ExitCode.failure
        }

        terminal.line("")
        let options = StartOptions(names: names, isCancelled: { SignalTrap.count > 0 })
        let starter = Starter(project: project, launcher: context.launcher(for: project))
        let start = try starter.run(options) { StartCommand.render($0, terminal: terminal) }
        if start.cancelled {
            try StartCommand.undo(start, of: "restart", project: project, terminal: terminal)
            Self.record(project, names: names, outcome: "interrupted")
            lock.release()
            SignalTrap.reraise()
            return ExitCode.failure
        }
        terminal.line("")
        terminal.line(StartCommand.summary(start, terminal: terminal))

        let succeeded = start.succeeded
        for (name, outcome) in start.outcomes where names.contains(name) {
            let pid: Int32? = switch outcome {
            case .started(let pid), .alreadyRunning(let pid), .finished(let pid): pid
            case .failed, .skipped, .alreadyDone: nil
            }
            project.events.record("restart", service: name, pid: pid, outcome: outcome.isFailure ? "failed" : "restarted")
        }
        if succeeded {
            terminal.line("\(terminal.ok) restarted \(names.joined(separator: ", "))")
            return ExitCode.success
        }
        terminal.line("\(terminal.fail) restart of \(names.joined(separator: ", ")) failed: the start failed\(StartCommand.logsHint(start))")
        return ExitCode.failure
    }

    private static func record(_ project: Project, names: [String], outcome: String) {
        for name in names { project.events.record("restart", service: name, outcome: outcome) }
    }
}
