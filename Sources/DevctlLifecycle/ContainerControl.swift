import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
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
}

extension ComposeOutcome {
    public var isFailure: Bool {
        if case .failed = self { return true }
        return false
    }
}
