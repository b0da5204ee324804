import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
/// `devctl status [NAME…] [--json]`: one row per service from one `/proc` scan, live health, and
/// the project's containers. Never takes the lock. Exit 3 when a service is not running.
public struct StatusCommand: Command, Equatable {
    /// The services to show; empty means all, and the containers too.
    public var names: [String]
    /// `--json`: one document on stdout instead of the table.
    public var json: Bool

    public init(names: [String] = [], json: Bool = false) {
        self.names = names
        self.json = json
    }

    public init(_ invocation: Invocation) {
        self.init(names: invocation.names, json: invocation.has("json"))
    }

    public var quietsProgress: Bool { json }

    public func run(_ context: CommandContext) throws -> Int32 {
        let project = try context.loadProject()
        var report = try StatusCollector(project: project, launcher: context.launcher(for: project))
            .collect(names: names)
        if names.isEmpty {
            (report.containers, report.containerNote) = ContainerControl(project: project, environment: context.environment).list()
        }
        let terminal = context.terminal
        if json {
            terminal.output(Self.jsonDocument(report).rendered())
        } else {
            report.warnings.forEach { terminal.warning($0) }
            terminal.output(Self.table(report, terminal: terminal))
        }
        return report.allRunning ? ExitCode.success : ExitCode.notRunning
    }

    static func table(_ report: StatusReport, terminal: Terminal) -> String {
        var table = TextTable(header: ["NAME", "STATE", "PID", "UPTIME", "CPU%", "MEM", "PROCS", "HEALTH", "COMMAND"])
        for service in report.services {
            let state = terminal.paint(stateText(service, now: LogStamp.nowMilliseconds()), stateColor(service))
            // An unhealthy reason may quote what a server answered.
            let health = switch service.health {
            case .healthy?: terminal.paint(describe(.healthy), .green)
            case let unhealthy?: terminal.paint(ForeignText.escaped(describe(unhealthy)), .red)
            case nil: "-"
            }
            table.append([
                service.name, state, service.pid.map(String.init) ?? "-",
                service.uptimeSeconds.map(Format.duration) ?? "-",
                service.cpuPercent.map { String(format: "%.1f", $0) } ?? "-",
                service.rssBytes.map(Format.bytes) ?? "-",
                service.state == .running || service.state == .paused ? "\(service.processes)" : "-",
                health,
                ForeignText.escaped(service.note.map { "\(service.command)  (\($0))" } ?? service.command),
            ])
        }
        // COMMAND is cut first, then HEALTH: the other columns are short already.
        var text = table.rendered(headerStyle: { terminal.paint($0, .bold) }, fitting: terminal.width, shrinking: [8, 7])
        text += "\n" + terminal.paint(containmentLine(report.containment), .dim)
        if let containers = ContainerLines.table(report.containers, note: report.containerNote, terminal: terminal) {
            text += "\n\n" + containers
        }
        return text
    }

    /// The STATE column: `running`, `dead (exit 3, 12 s ago)`, `restarting (in 2 s, 3rd)`,
    /// `failed (exit 1, gave up after 10)`, `done (exit 0)`, `running (unsupervised)`.
    static func stateText(_ service: ServiceStatus, now: Int64) -> String {
        let exit = service.exit?.summary
        switch service.state {
        case .running where service.supervised == false: return "running (unsupervised)"
        case .dead:
            guard let last = service.exit else { return "dead" }
            return "dead (\(last.summary), \(Format.span(Double(max(0, now - last.at)) / 1000)) ago)"
        case .restarting:
            let next = (service.restarts ?? 0) + 1
            let wait = service.restartAt.map { "in \(Format.span(Double(max(0, $0 - now)) / 1000)), " } ?? ""
            return "restarting (\(wait)\(Plural.ordinal(next)))"
        case .failed:
            let restarts = service.restarts ?? 0
            return "failed (\(exit.map { "\($0), " } ?? "")gave up after \(restarts))"
        case .done: return "done (\(exit ?? "exit 0"))"
        default: return service.state.rawValue
        }
    }

    static func stateColor(_ service: ServiceStatus) -> Terminal.Style {
        switch service.state {
        case .running: service.supervised == false ? .yellow : .green
        case .paused, .restarting: .yellow
        case .stopped, .done: .dim
        case .dead, .failed: .red
        }
    }

    /// "containment: cgroup (/devctl-shop-…)" or "containment: session (why)".
    static func containmentLine(_ containment: Containment) -> String {
        switch containment {
        case .cgroup(let cgroups): "containment: cgroup (\(cgroups.cgroupPath(of: cgroups.home)))"
        case .session(let reason): "containment: session (\(reason))"
        }
    }

    /// The `--json` document of SPEC §2.
    static func jsonDocument(_ report: StatusReport) -> JSONText {
        .object([
            ("project", .string(report.project)),
            ("containment", .string(report.containment.name)),
            ("services", .array(report.services.map { service in
                .object([
                    ("name", .string(service.name)),
                    ("state", .string(service.state.rawValue)),
                    ("pid", .optional(service.pid) { .int(Int($0)) }),
                    ("pgid", .optional(service.pgid) { .int(Int($0)) }),
                    ("uptimeSeconds", .optional(service.uptimeSeconds) { .double($0) }),
                    ("cpuPercent", .optional(service.cpuPercent) { .double($0) }),
                    ("rssBytes", .optional(service.rssBytes) { .int(Int($0)) }),
                    ("processes", .int(service.processes)),
                    ("health", .optional(service.health) { .string(describe($0)) }),
                    ("command", .string(service.command)),
                    ("cgroup", .optional(service.cgroup) { .string($0) }),
                    ("exit", .optional(service.exit) { exitDocument($0) }),
                    ("restarts", .int(service.restarts ?? 0)),
                    ("supervised", .optional(service.supervised) { .bool($0) }),
                ])
            })),
            ("containers", .array(report.containers.map { container in
                .object([
                    ("service", .string(container.service)),
                    ("name", .string(container.name)),
                    ("state", .string(container.state)),
                    ("health", .optional(container.health) { .string($0) }),
                ])
            })),
        ])
    }

    /// `{"code": 3, "signal": null, "at": "2026-12-04T19:48:38.123Z"}` (SPEC §2).
    static func exitDocument(_ exit: SupervisionRecord.Exit) -> JSONText {
        let (code, signal): (Int32?, String?) = switch exit.cause {
        case .exited(let code): (code, nil)
        case .signalled(let signal): (nil, signal.name)
        }
        return .object([("code", .optional(code) { .int(Int($0)) }), ("signal", .optional(signal) { .string($0) }),
                        ("at", .string(LogStamp.format(milliseconds: exit.at)))])
    }

    /// The HEALTH column and the `health` of `--json`: `healthy`, or `unhealthy (reason)`.
    static func describe(_ health: ProbeResult) -> String {
        switch health {
        case .healthy: "healthy"
        case .unhealthy(let reason): "unhealthy (\(reason))"
        }
    }
}
