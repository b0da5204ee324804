import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation

/// Brings a project's containers up for `start`, lists them for `status` and takes them down in
/// phase 4 of `stop`, through whichever compose front end is installed.
///
/// Every step is bounded in time, and a cheap `docker version` probe comes first, so that a
/// missing docker or an unreachable daemon (`DOCKER_HOST` and the other docker variables are
/// honoured, being passed through) is a quick "skipped", told apart from compose failing.
public struct ComposeRunner: Sendable {
    private let commands: CommandRunner
    private let commandTimeout: Double

    /// The bound of the daemon probe: it answers in milliseconds, and a daemon behind an address
    /// that swallows packets must cost seconds, not the compose timeout.
    private static let probeTimeout = 5.0
    /// How often `up` looks at the containers while waiting for them.
    private static let pollInterval = 0.2
    /// Tab-separated, since no docker field holds a tab; health is read from the status text,
    /// which is the one place `docker ps` shows it.
    private static let listFormat = "{{.Label \"com.docker.compose.service\"}}\t{{.Names}}\t{{.State}}\t{{.Status}}"

    /// `environment` is the process environment every docker command runs with.
    public init(environment: [String: String], commandTimeout: Double = 120) {
        commands = CommandRunner(environment: environment)
        self.commandTimeout = commandTimeout
    }

    /// `project` as compose accepts it: lowercase, each character outside `[a-z0-9_-]` replaced by
    /// `-`, and leading `-`/`_` dropped, since compose wants a letter or digit first (it trims them
    /// too). A name with nothing left becomes "devctl" rather than an empty, rejected one.
    public static func normalizedProjectName(_ project: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_-")
        let replaced = project.lowercased().map { allowed.contains($0) ? $0 : "-" }
        let name = String(replaced.drop(while: { $0 == "-" || $0 == "_" }))
        return name.isEmpty ? "devctl" : name
    }

    /// `up -d`, then waits until every container runs and, where a healthcheck is defined, is
    /// healthy. A container that exits or turns unhealthy, or the end of `waitTimeout`, fails it.
    public func up(_ project: ComposeProject, waitTimeout: Double) -> ComposeOutcome {
        do {
            try requireDaemon()
            let frontEnd = try requireFrontEnd()
            try compose(frontEnd, project, ["up", "-d"], timeout: commandTimeout)
            let containers = try waitUntilReady(project, frontEnd: frontEnd, timeout: waitTimeout)
            let healthy = containers.filter { $0.health == "healthy" }.count
            return .succeeded(
                frontEnd: frontEnd.description, containers: containers.map(\.name),
                detail: "\(Self.counted(containers.count, "container")) running" + (healthy > 0 ? ", \(healthy) healthy" : ""))
        } catch {
            return error
        }
    }

    /// `down --timeout SECONDS`, naming the containers it removed (listed just before).
    public func down(_ project: ComposeProject, timeout: Int) -> ComposeOutcome {
        do {
            try requireDaemon()
            let frontEnd = try requireFrontEnd()
            let removed = try list(project).map(\.container.name)
            // Compose stops the containers in parallel, each given `timeout` seconds before SIGKILL.
            try compose(frontEnd, project, ["down", "--timeout", String(timeout)], timeout: Double(timeout) + commandTimeout)
            return .succeeded(
                frontEnd: frontEnd.description, containers: removed,
                detail: removed.isEmpty ? "no containers" : "removed \(Self.counted(removed.count, "container"))")
        } catch {
            return error
        }
    }

    /// The project's containers, found by the label compose puts on them, so that both front ends
    /// and containers of any state are listed alike.
    public func containers(_ project: ComposeProject) -> Result<[ContainerState], ComposeOutcome> {
        Result { () throws(ComposeOutcome) in
            try requireDaemon()
            return try list(project).map(\.container)
        }
    }

    private func requireDaemon() throws(ComposeOutcome) {
        guard commands.executablePath("docker") != nil else { throw .skipped("docker not installed") }
        let probe = try run(["docker", "version", "--format", "{{.Server.Version}}"], timeout: Self.probeTimeout, frontEnd: "docker")
        guard probe.succeeded else { throw .skipped("docker daemon unreachable (\(Self.errorLine(probe)))") }
    }

    private func requireFrontEnd() throws(ComposeOutcome) -> ComposeFrontEnd {
        // Not the probe timeout: `docker-compose version` starts a Python, which takes seconds on a
        // busy machine, and a front end slow to answer is not a missing one.
        let frontEnd = ComposeFrontEnd.detect(using: commands, timeout: commandTimeout)
        if frontEnd == .notInstalled {
            throw .skipped("docker compose not installed (neither 'docker compose' nor 'docker-compose' works)")
        }
        return frontEnd
    }

    private func compose(_ frontEnd: ComposeFrontEnd, _ project: ComposeProject, _ arguments: [String], timeout: Double) throws(ComposeOutcome) {
        let result = try run(
            frontEnd.command + ["-p", project.name, "-f", project.file] + arguments,
            in: project.workingDirectory, timeout: timeout, frontEnd: frontEnd.description)
        guard result.succeeded else { throw .failed(frontEnd: frontEnd.description, detail: Self.errorLine(result)) }
    }

    private func list(_ project: ComposeProject) throws(ComposeOutcome) -> [(container: ContainerState, status: String)] {
        let result = try run(
            ["docker", "ps", "--all", "--filter", "label=com.docker.compose.project=\(project.name)", "--format", Self.listFormat],
            timeout: commandTimeout, frontEnd: "docker ps")
        guard result.succeeded else { throw .failed(frontEnd: "docker ps", detail: Self.errorLine(result)) }
        return Self.parseContainers(result.stdout)
    }

    private func waitUntilReady(_ project: ComposeProject, frontEnd: ComposeFrontEnd, timeout: Double) throws(ComposeOutcome) -> [ContainerState] {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while true {
            let listed = try list(project)
            for (container, status) in listed {
                if container.state == "exited" || container.state == "dead" || container.health == "unhealthy" {
                    throw .failed(frontEnd: frontEnd.description, detail: "container '\(container.name)' \(Self.problem(container, status: status))")
                }
            }
            let waiting = listed.map(\.container).filter { !$0.isReady }
            if waiting.isEmpty { return listed.map(\.container) }
            guard ContinuousClock.now < deadline else {
                let names = waiting.map { "'\($0.name)' (\($0.health ?? $0.state))" }.joined(separator: ", ")
                throw .failed(frontEnd: frontEnd.description, detail: "timed out after \(String(format: "%g", timeout)) s waiting for \(names)")
            }
            Thread.sleep(forTimeInterval: Self.pollInterval)
        }
    }

    private func run(_ arguments: [String], in directory: String? = nil, timeout: Double, frontEnd: String) throws(ComposeOutcome) -> CommandResult {
        do {
            return try commands.run(arguments, workingDirectory: directory, timeout: timeout)
        } catch {
            throw .failed(frontEnd: frontEnd, detail: error.description)
        }
    }

    /// Rows of `listFormat`, sorted by service and name so that `status` reads the same each time.
    private static func parseContainers(_ output: String) -> [(container: ContainerState, status: String)] {
        output.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4 else { return nil }
            let status = fields[3]
            let health: String? =
                if status.contains("(healthy)") { "healthy" }
                else if status.contains("(unhealthy)") { "unhealthy" }
                else if status.contains("(health: starting)") { "starting" }
                else { nil }
            return (ContainerState(service: fields[0], name: fields[1], state: fields[2], health: health), status)
        }
        .sorted { ($0.container.service, $0.container.name) < ($1.container.service, $1.container.name) }
    }

    /// "exited with status 3" from docker's "Exited (3) 2 seconds ago".
    private static func problem(_ container: ContainerState, status: String) -> String {
        if container.health == "unhealthy" { return "is unhealthy" }
        guard container.state == "exited",
              let open = status.firstIndex(of: "("), let close = status[open...].firstIndex(of: ")") else {
            return "is \(container.state)"
        }
        return "exited with status \(status[status.index(after: open)..<close])"
    }

    /// The line of a failed command worth showing. Compose v1 ends its stderr with a generic
    /// "Encountered errors while bringing up the project.", so the last line marked as an error
    /// (v1 `ERROR: …`, v2 and docker `Error …`) wins over the last line.
    private static func errorLine(_ result: CommandResult) -> String {
        if result.timedOut { return "no answer within \(result.duration.components.seconds) s" }
        let lines = result.stderr.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        if let line = lines.last(where: { $0.hasPrefix("ERROR") || $0.hasPrefix("Error") }) ?? lines.last { return line }
        if let status = result.exitStatus { return "exit status \(status)" }
        return "killed by signal \(result.signal ?? 0)"
    }

    private static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}
