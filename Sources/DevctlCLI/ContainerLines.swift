import DevctlLifecycle
import DevctlText

/// How the project's containers and compose outcomes read on a terminal: the table under
/// `status` and `start`, and the one line for `up` and `down`.
enum ContainerLines {
    /// The containers of `list`, as `status` and the end of `start` show them: a table, or one
    /// "containers: …" line saying why there are none to show; nil without compose.
    static func table(_ containers: [ContainerState], note: String?, terminal: Terminal) -> String? {
        guard !containers.isEmpty else { return note.map { "containers: \(ForeignText.escaped($0))" } }
        var table = TextTable(header: ["CONTAINER", "SERVICE", "STATE", "HEALTH"])
        for container in containers {
            // Every field is what docker said.
            table.append([container.name, container.service, container.state, container.health ?? "-"].map { ForeignText.escaped($0) })
        }
        return table.rendered { terminal.paint($0, .bold) }
    }

    /// One line: "containers: skipped (no compose file)", "✓ containers: docker compose …".
    static func render(_ outcome: ComposeOutcome, verb: String, terminal: Terminal) -> String {
        // A summary quotes compose's own output.
        switch outcome {
        case .skipped(let reason): "-  \(verb): skipped (\(ForeignText.escaped(reason)))"
        case .succeeded: "\(terminal.ok)  \(verb): \(ForeignText.escaped(outcome.summary))"
        case .failed: "\(terminal.fail)  \(verb): \(ForeignText.escaped(outcome.summary))"
        }
    }
}
