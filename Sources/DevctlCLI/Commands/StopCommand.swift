import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
/// `devctl stop [NAME…] [--force] [--containers] [--timeout S] [--json]`: the five phases of
/// SPEC §4 with one line per event and a final account; `--containers` runs phase 4 alone.
public struct StopCommand: Command, Equatable {
    /// The services to stop (phases 1, 2, 3 limited to them, and 5); empty means all five phases.
    public var names: [String]
    /// `--force`: SIGKILL at once, containers get no grace, and an untrusted `.pids/` is trusted.
    public var force: Bool
    /// `--containers`: phase 4 alone; processes and tracking are left alone.
    public var containersOnly: Bool
    /// `--timeout S`: seconds between the stop signal and SIGKILL, instead of every stopTimeout.
    public var timeout: Double?
    /// `--json`: one summary object on stdout instead of the account.
    public var json: Bool
    /// `-q/--quiet`.
    public var quiet: Bool

    public init(names: [String] = [], force: Bool = false, containersOnly: Bool = false, timeout: Double? = nil,
                json: Bool = false, quiet: Bool = false) {
        self.names = names
        self.force = force
        self.containersOnly = containersOnly
        self.timeout = timeout
        self.json = json
        self.quiet = quiet
    }

    public init(_ invocation: Invocation) throws(UsageError) {
        self.init(names: invocation.names, force: invocation.has("force"), containersOnly: invocation.has("containers"),
                  timeout: try invocation.number("timeout"), json: invocation.has("json"),
                  quiet: invocation.has("quiet"))
    }

    public var quietsProgress: Bool { quiet || json }

    public func run(_ context: CommandContext) throws -> Int32 {
        let project = try context.loadProject()
        let terminal = context.terminal
        var options = StopOptions(force: force, timeout: timeout)
        let containers = ContainerControl(project: project, environment: context.environment)

        if containersOnly {
            let outcome = containers.down(timeout: options.composeTimeout(stopTimeout: project.config.stopTimeout))
            if json {
                terminal.output(JSONText.object([("containers", Self.containersJSON(outcome)),
                                                 ("ok", .bool(!outcome.isFailure))]).rendered())
            } else {
                terminal.line(ContainerLines.render(outcome, verb: "containers", terminal: terminal))
            }
            return outcome.isFailure ? ExitCode.failure : ExitCode.success
        }

        // Names are checked before the lock creates `.pids/`. A name only the tracking files still
        // hold (removed from services.json while running) may be stopped, so they are read — once
        // the folder is trusted — but reading creates nothing.
        let tracking = try context.trust(project, untrusted: force ? .trustBecauseOfForce : .refuseSuggestingForce)
        if !names.isEmpty { options.names = try project.resolveNamesAllowingTracked(names) }
        let lock = try context.lock(tracking)
        defer { lock.release() }
        SignalTrap.install()
        options.isInterrupted = { SignalTrap.count > 0 }
        let shutdown = Shutdown(project: project, containers: { containers.down(timeout: $0) })
        let lines = StopLines(terminal: terminal, forcedBecause: force ? "forced by --force" : nil)
        let report = try shutdown.run(options) { lines.render($0) }
        lines.finish()
        if json {
            terminal.output(Self.jsonDocument(report).rendered())
        } else {
            terminal.line(Self.account(report, terminal: terminal))
        }
        return report.succeeded ? ExitCode.success : ExitCode.failure
    }

    /// A process's command line in a one-line report: its first 80 characters, escaped.
    static func shown(_ command: String) -> String {
        ForeignText.escaped(String(command.prefix(80)))
    }

    static func account(_ report: ShutdownReport, terminal: Terminal) -> String {
        let graceful = report.services.filter { $0.outcome == .graceful }.count
        let forced = report.services.filter { $0.outcome == .forced }
        let notRunning = report.services.filter { $0.outcome == .alreadyDead }.count
        var parts = ["\(graceful) stopped gracefully"]
        parts.append("\(forced.count) forced" + (forced.isEmpty ? "" : " (\(forced.map(\.name).joined(separator: ", ")))"))
        if notRunning > 0 { parts.append("\(notRunning) not running") }
        parts.append(Plural.counted(report.orphans.count, "orphan"))
        parts.append(Plural.counted(report.stragglers.count, "straggler"))
        if !report.failures.isEmpty { parts.append("\(report.failures.count) unproven") }
        if report.interrupted { parts.append("grace cut short by a signal") }
        let time = Format.milliseconds(report.milliseconds)
        if report.succeeded {
            return "\(terminal.ok) \(parts.joined(separator: ", ")) — in \(time)"
        }
        let why = if !report.stragglers.isEmpty {
            "processes survived; run 'devctl stop' again or inspect them"
        } else if !report.failures.isEmpty {
            "devctl could not prove every process gone; their tracking entries are kept"
        } else {
            "containers could not be brought down"
        }
        return "\(terminal.fail) \(parts.joined(separator: ", ")) — in \(time); \(why)"
    }

    /// The `--json` summary of SPEC §2.
    static func jsonDocument(_ report: ShutdownReport) -> JSONText {
        .object([
            ("services", .array(report.services.map { service in
                .object([
                    ("name", .string(service.name)),
                    ("pid", .optional(service.pid) { .int(Int($0)) }),
                    ("outcome", .string(service.outcome.rawValue)),
                    ("signal", .optional(service.signal) { .string($0.name) }),
                    ("ms", .int(service.milliseconds)),
                ])
            })),
            ("orphans", .array(report.orphans.map { orphan in
                .object([("pid", .int(Int(orphan.pid))), ("command", .string(orphan.command)),
                         ("reason", .string(orphan.reason.description)), ("signal", .string(orphan.signal.name))])
            })),
            ("stragglers", .array(report.stragglers.map { straggler in
                .object([("pid", .optional(straggler.pid) { .int(Int($0)) }), ("command", .string(straggler.command)),
                         ("service", .optional(straggler.service) { .string($0) })])
            })),
            ("unproven", .array(report.failures.map { failure in
                .object([("service", .optional(failure.service) { .string($0) }), ("detail", .string(failure.detail))])
            })),
            ("containers", containersJSON(report.containers)),
            ("containment", .string(report.containment.name)),
            ("ms", .int(report.milliseconds)),
            ("ok", .bool(report.succeeded)),
        ])
    }

    static func containersJSON(_ outcome: ComposeOutcome) -> JSONText {
        switch outcome {
        case .skipped(let reason):
            .object([("outcome", .string("skipped")), ("detail", .string(reason))])
        case .succeeded(let frontEnd, let containers, let detail):
            .object([("outcome", .string("ok")), ("detail", .string(detail)), ("frontEnd", .string(frontEnd)),
                     ("containers", .array(containers.map { .string($0) }))])
        case .failed(let frontEnd, let detail):
            .object([("outcome", .string("failed")), ("detail", .string(detail)), ("frontEnd", .string(frontEnd))])
        }
    }
}
