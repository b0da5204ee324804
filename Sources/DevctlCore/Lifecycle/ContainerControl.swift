/// The project's containers as devctl sees them: compose `up` before a full start, `down` in
/// phase 4, and the list for `status` — each skipped with the reason when there is no compose
/// file, no docker, or no reachable daemon.
public struct ContainerControl: Sendable {
    public let project: Project
    public let runner: ComposeRunner

    public init(project: Project, environment: [String: String]) {
        self.project = project
        runner = ComposeRunner(environment: environment)
    }

    private var composeProject: ComposeProject? {
        project.config.compose.map { file in
            ComposeProject(name: ComposeRunner.normalizedProjectName(project.config.project), file: file,
                           workingDirectory: project.config.root)
        }
    }

    /// `up -d`, then wait until running (and healthy where a healthcheck is defined).
    public func up(waitTimeout: Double = 120) -> ComposeOutcome {
        guard let compose = composeProject else { return .skipped("no compose file") }
        let outcome = runner.up(compose, waitTimeout: waitTimeout)
        project.events.record("compose-up", outcome: outcome.summary)
        return outcome
    }

    /// `down --timeout N`.
    public func down(timeout: Int) -> ComposeOutcome {
        guard let compose = composeProject else { return .skipped("no compose file") }
        return runner.down(compose, timeout: timeout)
    }

    /// The containers for `status`, or the reason there are none to show.
    public func list() -> ([ContainerState], String?) {
        guard let compose = composeProject else { return ([], nil) }
        switch runner.containers(compose) {
        case .success(let containers): return (containers, containers.isEmpty ? "none running" : nil)
        case .failure(let outcome): return ([], outcome.summary)
        }
    }

    /// The containers of `list`, as `status` and the end of `start` show them: a table, or one
    /// "containers: …" line saying why there are none to show; nil without compose.
    public static func table(_ containers: [ContainerState], note: String?, terminal: Terminal) -> String? {
        guard !containers.isEmpty else { return note.map { "containers: \($0)" } }
        var table = TextTable(header: ["CONTAINER", "SERVICE", "STATE", "HEALTH"])
        for container in containers {
            table.append([container.name, container.service, container.state, container.health ?? "-"])
        }
        return table.rendered { terminal.paint($0, .bold) }
    }

    /// One line: "containers: skipped (no compose file)", "✓ containers: docker compose …".
    public static func render(_ outcome: ComposeOutcome, verb: String, terminal: Terminal) -> String {
        switch outcome {
        case .skipped(let reason): "-  \(verb): skipped (\(reason))"
        case .succeeded: "\(terminal.ok)  \(verb): \(outcome.summary)"
        case .failed: "\(terminal.fail)  \(verb): \(outcome.summary)"
        }
    }
}

extension ComposeOutcome {
    public var isFailure: Bool {
        if case .failed = self { return true }
        return false
    }
}
