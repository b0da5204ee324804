import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Synchronization

/// Prints a stop's events as they arrive: a `[k/5]` line per phase — shown at once, and when
/// the phase has nothing to do, saying so on that same line (`[2/5] Force — nothing left to
/// kill`) — and one line per thing done. It remembers what the graceful phase counted, so the
/// SIGKILL line counts the same processes.
public final class StopLines: Sendable {
    private let terminal: Terminal
    /// Why SIGKILL came without a grace (`forced by --force`), or nil when it follows a grace.
    private let forcedBecause: String?
    /// Why phase 4 is skipped when the caller knows better than "stopping named services only".
    private let containersNote: String?
    private let state = Mutex(State())

    private struct State {
        /// The phase whose heading is the last line printed, so a note may still end it.
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
        state.withLock { state in
            switch event {
            case .phase(let number, let title):
                state.heading = (number, title)
                terminal.begin(heading(number, title))
            case .skipped(let phase, let reason) where state.heading?.number == phase:
                note(phase == 4 ? "skipped (\(containersNote ?? ForeignText.escaped(reason)))" : ForeignText.escaped(reason),
                     state: &state)
            case .containers(.skipped(let reason)) where state.heading?.number == 4:
                note("skipped (\(containersNote ?? ForeignText.escaped(reason)))", state: &state)
            case .signalled:
                break
            case .warning(let warning):
                state.heading = nil
                terminal.warning(warning)
            case .foreignPortHolder(let holder):
                state.heading = nil
                let pid = holder.pid.map { "pid \($0): " } ?? ""
                terminal.warning("port \(holder.port) is held by \(pid)\(StopCommand.shown(holder.command)), which is not this project's")
            case .timedOut(let name, _, let remaining):
                state.remaining[name] = remaining
                show(line(for: event, remaining: nil), state: &state)
            case .forced(let name, _):
                show(line(for: event, remaining: state.remaining[name]), state: &state)
            default:
                show(line(for: event, remaining: nil), state: &state)
            }
        }
    }

    /// Ends the last phase's line, if nothing has yet.
    public func finish() {
        terminal.endLine()
    }

    private func note(_ note: String, state: inout State) {
        guard let (number, title) = state.heading else { return }
        state.heading = nil
        terminal.end(with: " — \(note)", orLine: heading(number, title) + " — \(note)")
    }

    private func show(_ line: String?, state: inout State) {
        guard let line else { return }
        state.heading = nil
        terminal.line(line)
    }

    private func heading(_ number: Int, _ title: String) -> String {
        terminal.paint("[\(number)/5] \(title)", .bold)
    }

    /// One event's line on stdout; warnings go to stderr instead (see `render`).
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
