import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Synchronization

/// Prints a stop's events as they arrive: a `[k/5]` line per phase — a phase with nothing to do
/// says so on that same line (`[2/5] Force — nothing left to kill`) — and one line per thing
/// done. It remembers what the graceful phase counted, so the SIGKILL line counts the same
/// processes.
public final class StopLines: Sendable {
    private let terminal: Terminal
    /// Why SIGKILL came without a grace (`forced by --force`), or nil when it follows a grace.
    private let forcedBecause: String?
    /// Why phase 4 is skipped when the caller knows better than "stopping named services only".
    private let containersNote: String?
    private let state = Mutex(State())

    private struct State {
        /// The phase whose line waits to learn whether the phase was skipped.
        var heading: (number: Int, title: String)?
        /// Processes each service still had when its grace ran out.
        var remaining = [String: Int]()
    }

    public init(terminal: Terminal, forcedBecause: String? = nil, containersNote: String? = nil) {
        self.terminal = terminal
        self.forcedBecause = forcedBecause
        self.containersNote = containersNote
    }

    public func render(_ event: ShutdownEvent) {
        let text: String? = state.withLock { state in
            switch event {
            case .phase(let number, let title):
                let pending = state.heading.map(heading)
                state.heading = (number, title)
                return pending
            case .skipped(let phase, let reason) where state.heading?.number == phase:
                let title = state.heading!.title
                state.heading = nil
                return heading(phase, title, note: phase == 4 ? "skipped (\(containersNote ?? ForeignText.escaped(reason)))"
                                                             : ForeignText.escaped(reason))
            case .containers(.skipped(let reason)) where state.heading?.number == 4:
                state.heading = nil
                return heading(4, "Containers", note: "skipped (\(containersNote ?? ForeignText.escaped(reason)))")
            case .signalled:
                return nil
            case .timedOut(let name, _, let remaining):
                state.remaining[name] = remaining
                return flushed(&state, line(for: event, remaining: nil))
            case .forced(let name, _):
                return flushed(&state, line(for: event, remaining: state.remaining[name]))
            default:
                return flushed(&state, line(for: event, remaining: nil))
            }
        }
        if let text { terminal.line(text) }
        if case .warning(let warning) = event { terminal.warning(warning) }
        if case .foreignPortHolder(let holder) = event {
            let pid = holder.pid.map { "pid \($0): " } ?? ""
            terminal.warning("port \(holder.port) is held by \(pid)\(StopCommand.shown(holder.command)), which is not this project's")
        }
    }

    /// Prints the last phase's line if no event has yet.
    public func finish() {
        if let pending = state.withLock({ state in defer { state.heading = nil }; return state.heading.map(heading) }) {
            terminal.line(pending)
        }
    }

    private func heading(_ number: Int, _ title: String, note: String? = nil) -> String {
        terminal.paint("[\(number)/5] \(title)", .bold) + (note.map { " — \($0)" } ?? "")
    }

    private func heading(_ pending: (number: Int, title: String)) -> String {
        heading(pending.number, pending.title)
    }

    /// `line`, after the waiting phase line when there is one.
    private func flushed(_ state: inout State, _ line: String?) -> String? {
        guard let pending = state.heading else { return line }
        state.heading = nil
        return [heading(pending), line].compactMap { $0 }.joined(separator: "\n")
    }

    /// One event's line; warnings go to stderr instead (see `render`).
    private func line(for event: ShutdownEvent, remaining: Int?) -> String? {
        switch event {
        case .containment(let containment):
            return terminal.paint(StatusCommand.containmentLine(containment), .dim)
        case .phase(let number, let title):
            return heading(number, title)
        case .warning, .signalled, .foreignPortHolder:
            return nil
        case .stopped(let result):
            let pid = result.pid.map(String.init) ?? "-"
            switch result.outcome {
            case .alreadyDead:
                return "  -  \(result.name) was not running\(result.note.map { " (\(ForeignText.escaped($0)))" } ?? "")"
            case .graceful:
                return "  \(terminal.ok)  \(result.name) (pid \(pid)) stopped by \(result.signal?.name ?? "?") in \(Format.milliseconds(result.milliseconds))"
            case .forced:
                return nil
            case .unproven:
                return "  \(terminal.fail)  \(result.name) (pid \(pid)) could not be proven gone"
            }
        case .timedOut(let name, let seconds, let remaining):
            return "  \(terminal.warn)  \(name) still has \(Plural.counted(remaining, "process")) after \(String(format: "%.1f", seconds)) s"
        case .forced(let name, let processes):
            let why = forcedBecause ?? "did not exit in time"
            return "  \(terminal.fail)  \(name): SIGKILL to \(Plural.counted(remaining ?? processes, "process")) (\(why))"
        case .orphan(let orphan):
            return "  \(terminal.fail)  killed pid \(orphan.pid) with \(orphan.signal): \(StopCommand.shown(orphan.command)) — \(orphan.reason)"
        case .containers(let outcome):
            return "  " + ContainerLines.render(outcome, verb: "down", terminal: terminal)
        case .verified(let ports):
            let free = ports.isEmpty ? "" : ", port\(ports.count == 1 ? "" : "s") \(ports.map(String.init).joined(separator: ", ")) free"
            return "  \(terminal.ok)  no process left\(free)"
        case .straggler(let straggler):
            let holder = straggler.pid.map { "pid \($0): " } ?? ""
            return "  \(terminal.fail)  still alive: \(holder)\(StopCommand.shown(straggler.command))\(straggler.service.map { " (\($0))" } ?? "")"
        case .failure(let failure):
            return "  \(terminal.fail)  cannot prove\(failure.service.map { " \($0)" } ?? "") stopped: \(ForeignText.escaped(failure.detail))"
        case .skipped(_, let reason):
            return "  -  \(ForeignText.escaped(reason))"
        }
    }
}
