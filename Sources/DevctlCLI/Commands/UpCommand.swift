import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// `devctl up [NAME…] [--exit-on-failure]`: the start of `devctl start`, then the foreground
/// session — every service's new output as `name | line`, each exit announced at once — until
/// Ctrl-C (or SIGTERM, SIGHUP), then the full five-phase stop and its code. The lock is held only
/// for the start and the stop, so other terminals can run `status`, `logs`, `restart` and `stop`
/// against the session meanwhile.
public struct UpCommand: Command, Equatable {
    /// How often the session looks for new output and for services that exited.
    static let pollInterval: useconds_t = 100_000

    /// The services to start and follow (with what they depend on); empty means all, containers
    /// first, and the full five-phase stop at the end.
    public var names: [String]
    /// `--exit-on-failure`: the first service to exit ends the session.
    public var exitOnFailure: Bool

    public init(names: [String] = [], exitOnFailure: Bool = false) {
        self.names = names
        self.exitOnFailure = exitOnFailure
    }

    public init(_ invocation: Invocation) {
        self.init(names: invocation.names, exitOnFailure: invocation.has("exit-on-failure"))
    }

    /// Why the foreground session ended.
    enum Ending: Equatable {
        case signal
        /// A service failed to start or exited, and that ends the session.
        case failure
        /// Every service exited on its own; `cleanly` when each with status 0.
        case allExited(cleanly: Bool)
        /// Another devctl stopped every service: nothing is left to stop.
        case stoppedElsewhere
    }

    public func run(_ context: CommandContext) throws -> Int32 {
        let project = try context.loadProject()
        let names = try project.resolveNames(self.names)
        let session = project.graph.closure(of: names)
        let terminal = context.terminal
        SignalTrap.install()

        // Only output written from now on is shown, including what services write while starting.
        let logs = session.map { (service: $0, path: project.store.logFile(for: $0)) }
        var positions = [String: LogPosition]()
        for log in logs { positions[log.service] = LogPosition.end(of: log.path) }

        guard let (report, entries) = try start(context, project: project, names: names) else { return ExitCode.failure }
        let failed = report.outcomes.filter { $0.outcome.isFailure }.map(\.name)
        // The start already showed the last lines of a service that failed.
        for log in logs where failed.contains(log.service) { positions[log.service] = LogPosition.end(of: log.path) }
        // A service that failed but was left running is still this session's, never "started
        // by another devctl".
        let watch = ServiceWatch(project: project, services: report.outcomes.map { name, outcome in
            (name, entries.first { $0.name == name && report.spawned.contains(name) || !outcome.isFailure && $0.name == name })
        })
        let printer = ServiceLines(shown: session, configured: project.config.services.map(\.name), colored: terminal.colored)
        let show: (LogLine) -> Bool = { line in
            _ = printer.write(line)
            return true
        }
        let follower = LogFollower(logs: logs, start: positions)

        let ending: Ending
        if !report.cancelled, !failed.isEmpty {
            terminal.line("\(terminal.fail) \(failed.count) of \(Plural.counted(report.outcomes.count, "service")) failed to start: \(failed.joined(separator: ", "))")
        }
        if report.cancelled {
            ending = .signal
        } else if !failed.isEmpty, exitOnFailure || watch.running.isEmpty {
            ending = .failure
        } else {
            let adopted = report.outcomes.compactMap { if case .alreadyRunning = $0.outcome { $0.name } else { nil } }
            let note = adopted.isEmpty ? "" : " (already running, adopted: \(adopted.joined(separator: ", ")))"
            terminal.line("\(terminal.ok) following \(watch.running.joined(separator: ", "))\(note) — Ctrl-C stops everything")
            ending = Self.follow(watch: watch, follower: follower, show: show, terminal: terminal,
                                 exitOnFailure: exitOnFailure)
        }
        follower.poll(show)

        if ending == .stoppedElsewhere {
            terminal.line("-  every service was stopped by another devctl — nothing left to follow")
            return ExitCode.success
        }
        let stop = try stopSession(context, project: project, session: session, ending: ending)
        // What the services printed while they shut down.
        follower.flush(show)
        terminal.line(StopCommand.account(stop, terminal: terminal))
        switch ending {
        case .signal, .allExited(cleanly: true):
            return stop.succeeded && (failed.isEmpty || report.cancelled) ? ExitCode.success : ExitCode.failure
        default: return ExitCode.failure
        }
    }

    /// The foreground part: new output as it comes, each exit announced, until a signal, a
    /// failure that ends the session, or no service is left running.
    private static func follow(watch: ServiceWatch, follower: LogFollower, show: (LogLine) -> Bool, terminal: Terminal,
                               exitOnFailure: Bool) -> Ending {
        var exits = [(exit: SupervisionRecord.Exit?, next: ServiceWatch.Next)]()
        while SignalTrap.count == 0 {
            let events = watch.poll()
            // A service's last words come before the news of its exit.
            follower.poll(show)
            for event in events {
                announce(event, terminal: terminal)
                if case .exited(_, _, let exit, let next) = event { exits.append((exit, next)) }
            }
            if exitOnFailure, !exits.isEmpty { return .failure }
            if watch.running.isEmpty {
                let cleanly = exits.allSatisfy { $0.exit?.succeeded == true && $0.next != .failed(restarts: 0) }
                return exits.isEmpty ? .stoppedElsewhere : .allExited(cleanly: cleanly)
            }
            usleep(pollInterval)
        }
        return .signal
    }

    /// The start of `devctl start` (containers first for a full start), under the lock. Returns
    /// the report and the tracking entries it left, or nil when the containers failed to come up.
    private func start(_ context: CommandContext, project: Project, names: [String]) throws
        -> (StartReport, [TrackedService])?
    {
        let lock = try context.lock(project)
        defer { lock.release() }
        guard let (report, _) = try StartCommand.startServices(context, project: project, names: names, wait: true,
                                                               containers: self.names.isEmpty) else {
            return nil
        }
        return (report, try project.store.read().entries)
    }

    /// The stop of `devctl stop` — all five phases, or with NAMEs the session's services only —
    /// under the lock. Ctrl-C during it (a second one, when a signal began it) makes it forced.
    private func stopSession(_ context: CommandContext, project: Project, session: [String],
                             ending: Ending) throws -> ShutdownReport {
        let terminal = context.terminal
        let why = switch ending {
        case .signal: "\(SignalTrap.last?.name ?? "signal") received"
        case .failure: "a service failed"
        default: "no service is running any more"
        }
        terminal.line("")
        terminal.line("\(terminal.warn) \(why): stopping everything (Ctrl-C\(ending == .signal ? " again" : "") to force)")
        // Another devctl may be at work (a restart from another terminal): wait for it longer.
        let lock = try context.lock(project, timeout: 60)
        defer { lock.release() }

        let forceAt = ending == .signal ? 2 : 1
        var options = StopOptions(names: names.isEmpty ? [] : session,
                                  force: SignalTrap.count >= forceAt)
        let escalated = Once()
        options.isInterrupted = {
            guard SignalTrap.count >= forceAt else { return false }
            if escalated.first() { terminal.line("\(terminal.warn) interrupted again: forcing the stop (SIGKILL now)") }
            return true
        }
        let containers = ContainerControl(project: project, environment: context.environment)
        let shutdown = Shutdown(project: project, containers: { containers.down(timeout: $0) })
        let lines = StopLines(terminal: terminal, forcedBecause: options.force ? "forced by a second Ctrl-C" : nil)
        defer { lines.finish() }
        return try shutdown.run(options) { lines.render($0) }
    }

    static func announce(_ event: ServiceWatch.Event, terminal: Terminal) {
        switch event {
        case .exited(let name, _, let exit?, .done):
            terminal.line("\(terminal.ok) \(name) finished (\(exit.summary))")
        case .exited(let name, let pid, let exit?, let next):
            let symbol = exit.succeeded && next.isFinal ? terminal.warn : terminal.fail
            let then = switch next {
            case .restarting(let seconds, let restart):
                " — restarting in \(Format.span(seconds)) (\(Plural.ordinal(restart)) restart)"
            case .failed(let restarts): " — gave up after \(Plural.counted(restarts, "restart"))"
            case .done, .dead: ""
            }
            terminal.line("\(symbol) \(name) \(exit.description) (pid \(pid))\(then)")
        case .exited(let name, let pid, nil, _):
            terminal.line("\(terminal.fail) \(name) exited (pid \(pid); no keeper saw it, so its exit status is unknown)")
        case .restarted(let name, let pid, let restart):
            terminal.line("\(terminal.ok) \(name) restarted (pid \(pid), \(Plural.ordinal(restart)) restart)")
        case .stoppedElsewhere(let name, let pid):
            terminal.line("-  \(name) (pid \(pid)) was stopped by another devctl")
        case .startedElsewhere(let name, let pid, let previous?):
            terminal.line("\(terminal.ok) \(name) restarted by another devctl (pid \(pid), was \(previous))")
        case .startedElsewhere(let name, let pid, nil):
            terminal.line("\(terminal.ok) \(name) started by another devctl (pid \(pid))")
        }
    }
}

/// Says "true" once: the escalation line is printed the first time the stop sees it.
private final class Once: Sendable {
    private let done = Mutex(false)

    func first() -> Bool {
        done.withLock { done in
            defer { done = true }
            return !done
        }
    }
}
