import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation

/// `devctl start [NAME…] [--no-wait] [--no-containers]`: containers first (full start), then the
/// services in dependency waves, one line per event and a summary table. Ctrl-C stops what this
/// run started.
public struct StartCommand: Command, Equatable {
    /// The services to start (with what they depend on); empty means all.
    public var names: [String]
    /// Whether to wait for the services to be healthy; `--no-wait` returns once the last one is
    /// spawned (dependencies are still waited for).
    public var wait: Bool
    /// Whether a full start brings the compose containers up first; `--no-containers` leaves them.
    public var containers: Bool
    /// `-q/--quiet`.
    public var quiet: Bool

    public init(names: [String] = [], wait: Bool = true, containers: Bool = true, quiet: Bool = false) {
        self.names = names
        self.wait = wait
        self.containers = containers
        self.quiet = quiet
    }

    public init(_ invocation: Invocation) {
        self.init(names: invocation.names, wait: !invocation.has("no-wait"), containers: !invocation.has("no-containers"),
                  quiet: invocation.has("quiet"))
    }

    public var quietsProgress: Bool { quiet }

    public func run(_ context: CommandContext) throws -> Int32 {
        let project = try context.loadProject()
        let names = try project.resolveNames(self.names)
        let lock = try context.lock(project)
        defer { lock.release() }
        let terminal = context.terminal
        SignalTrap.install()
        let began = Date()

        guard let (report, compose) = try Self.startServices(context, project: project, names: names, wait: wait,
                                                             containers: containers && self.names.isEmpty) else {
            return ExitCode.failure
        }

        if report.cancelled {
            try Self.undo(report, of: "start", project: project, terminal: terminal)
            lock.release()
            SignalTrap.reraise()
            return ExitCode.failure
        }
        terminal.line("")
        terminal.line(Self.summary(report, terminal: terminal))
        if let (states, note) = compose?.list(), let table = ContainerLines.table(states, note: note, terminal: terminal) {
            terminal.line("")
            terminal.line(table)
        }
        let running = report.outcomes.filter { !$0.outcome.isFailure }.count
        let seconds = String(format: "%.1f s", Date().timeIntervalSince(began))
        if report.succeeded {
            terminal.line("\(terminal.ok) \(Plural.counted(running, "service")) running (\(seconds)) — 'devctl logs -f' to follow, 'devctl stop' to stop")
            return ExitCode.success
        }
        let failed = report.outcomes.count - running
        terminal.line("\(terminal.fail) \(failed) of \(Plural.counted(report.outcomes.count, "service")) failed to start "
                      + "(\(seconds))\(Self.logsHint(report))")
        return ExitCode.failure
    }

    /// " — see 'devctl logs api worker'", naming the failed services that ran and so have
    /// something to show; empty when none did (a port was taken, a dependency failed).
    static func logsHint(_ report: StartReport) -> String {
        let ran = report.outcomes.filter { name, outcome in
            guard case .failed(_, let leftRunning) = outcome else { return false }
            return leftRunning != nil || report.spawned.contains(name)
        }.map(\.name)
        return ran.isEmpty ? "" : " — see 'devctl logs \(ran.joined(separator: " "))'"
    }

    /// The start `start` and `up` share, under the caller's lock: the compose containers first when
    /// `containers` (a full start, without --no-containers) and a compose file is in use, then the
    /// services in dependency waves, one line per event. Returns nil when the containers failed to
    /// come up, else the report and — when compose brought containers up — what can list them for
    /// the summary.
    static func startServices(_ context: CommandContext, project: Project, names: [String], wait: Bool,
                              containers withContainers: Bool) throws
        -> (report: StartReport, containers: ContainerControl?)? {
        let terminal = context.terminal
        var containers: ContainerControl?
        if withContainers, project.config.compose != nil {
            let control = ContainerControl(project: project, environment: context.environment)
            let outcome = control.up()
            terminal.line(ContainerLines.render(outcome, verb: "containers", terminal: terminal))
            if case .failed = outcome { return nil }
            if case .succeeded = outcome { containers = control }
        }
        let options = StartOptions(names: names, wait: wait, isCancelled: { SignalTrap.count > 0 })
        let starter = Starter(project: project, launcher: context.launcher(for: project))
        return (try starter.run(options) { Self.render($0, terminal: terminal) }, containers)
    }

    /// After Ctrl-C: stops exactly the services this run spawned — and nothing when it spawned none,
    /// since a stop without names would take down everything.
    static func undo(_ report: StartReport, of run: String, project: Project, terminal: Terminal) throws {
        guard !report.spawned.isEmpty else {
            terminal.line("\(terminal.warn) interrupted before this \(run) spawned anything: nothing to stop")
            return
        }
        terminal.line("\(terminal.warn) interrupted: stopping the \(Plural.counted(report.spawned.count, "service")) this \(run) spawned")
        let shutdown = Shutdown(project: project, containers: { _ in .skipped("not part of this stop") })
        let lines = StopLines(terminal: terminal)
        let stop = try shutdown.run(StopOptions(names: report.spawned)) { lines.render($0) }
        lines.finish()
        terminal.line(StopCommand.account(stop, terminal: terminal))
    }

    static func render(_ event: StartEvent, terminal: Terminal) {
        switch event {
        case .ignoredEntry(let warning):
            terminal.warning(warning)
        case .alreadyRunning(let name, let pid):
            terminal.line("      \(name) already running (pid \(pid)), left alone")
        case .alreadyDone(let name):
            terminal.line("      \(name) already done (exit 0), not run again")
        case .clearedDeadEntry(let name, let pid, let reason):
            terminal.line("      \(name): cleared dead entry pid \(pid) (\(ForeignText.escaped(reason)))")
        case .spawned(let name, let pid, let step, let total):
            terminal.line("\(stepLabel(step, total, terminal: terminal)) \(name) spawned (pid \(pid))")
        case .waiting(let name, let check):
            terminal.line("      \(name) waiting for \(ForeignText.escaped(check))")
        case .ready(let name, let pid, let seconds):
            terminal.line("  \(terminal.ok)   \(name) ready (pid \(pid), \(String(format: "%.1f s", seconds)))")
        case .finished(let name, let pid, let seconds):
            terminal.line("  \(terminal.ok)   \(name) finished (pid \(pid), exit 0, \(String(format: "%.1f s", seconds)))")
        case .failed(let name, let reason, let tail, let step, let total):
            // A reason may quote a port holder's command line; the tail is the service's output.
            let lead = step.map { stepLabel($0, total ?? $0, terminal: terminal) + " \(terminal.fail)" } ?? "  \(terminal.fail)  "
            terminal.line("\(lead) \(name) failed: \(ForeignText.escaped(reason))")
            for line in tail {
                terminal.line("        \(terminal.paint("\(name) |", .dim)) \(ServiceLines.text(line, colored: terminal.colored))")
            }
        case .skipped(let name, let reason, let step, let total):
            let lead = step.map { stepLabel($0, total ?? $0, terminal: terminal) + " \(terminal.fail)" } ?? "  \(terminal.fail)  "
            terminal.line("\(lead) \(name) not started: \(ForeignText.escaped(reason))")
        }
    }

    /// `[2/3]`: every service the start means to spawn has a number, spawned or not, so the
    /// numbers run without a gap to the last.
    private static func stepLabel(_ step: Int, _ total: Int, terminal: Terminal) -> String {
        terminal.paint("[\(step)/\(total)]", .dim)
    }

    static func summary(_ report: StartReport, terminal: Terminal) -> String {
        var table = TextTable(header: ["SERVICE", "PID", "RESULT"])
        for (name, outcome) in report.outcomes {
            switch outcome {
            case .started(let pid): table.append([name, "\(pid)", "\(terminal.ok) started"])
            case .alreadyRunning(let pid): table.append([name, "\(pid)", "\(terminal.ok) already running"])
            case .alreadyDone: table.append([name, "-", "\(terminal.ok) already done"])
            case .finished(let pid): table.append([name, "\(pid)", "\(terminal.ok) done (exit 0)"])
            case .failed(let reason, let pid?):
                table.append([name, "\(pid)", "\(terminal.fail) \(ForeignText.escaped(reason)); left running"])
            case .failed(let reason, nil): table.append([name, "-", "\(terminal.fail) \(ForeignText.escaped(reason))"])
            case .skipped(let reason): table.append([name, "-", "\(terminal.fail) \(ForeignText.escaped(reason))"])
            }
        }
        return table.rendered { terminal.paint($0, .bold) }
    }
}
