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

/// Where a command writes, and how: colour only on a terminal and never with `NO_COLOR`, one
/// serialized line per event (events arrive from several threads), errors on stderr.
public final class Terminal: Sendable {
    public let colored: Bool
    public let quiet: Bool
    /// The columns a table may fill, or nil for no limit (output that is not a terminal).
    public let width: Int?
    /// Whether stdout holds a line begun by `begin` and not yet ended.
    private let lineOpen = Mutex(false)

    public init(colored: Bool, quiet: Bool = false, width: Int? = nil) {
        self.colored = colored
        self.quiet = quiet
        self.width = width
    }

    /// Colour when stdout is a terminal, `NO_COLOR` is unset or empty and `--no-color` was not given.
    public static func standard(environment: [String: String], noColor: Bool, quiet: Bool = false) -> Terminal {
        let isTerminal = isatty(STDOUT_FILENO) == 1
        return Terminal(colored: wantsColor(environment: environment, noColor: noColor, isTerminal: isTerminal),
                        quiet: quiet,
                        width: width(environment: environment, isTerminal: isTerminal) { TerminalSize.columns(of: STDOUT_FILENO) })
    }

    /// On a terminal, `COLUMNS` where it holds a width, else what the terminal says; elsewhere
    /// (a pipe, a file) no limit, so scripts get every character.
    public static func width(environment: [String: String], isTerminal: Bool, asked: () -> Int?) -> Int? {
        guard isTerminal else { return nil }
        if let columns = environment["COLUMNS"].flatMap({ Int($0) }), columns > 0 { return columns }
        return asked()
    }

    /// As no-color.org asks, only a `NO_COLOR` with a value turns colour off: `NO_COLOR=` does not.
    public static func wantsColor(environment: [String: String], noColor: Bool, isTerminal: Bool) -> Bool {
        !noColor && (environment["NO_COLOR"] ?? "").isEmpty && isTerminal
    }

    public enum Style: String, Sendable {
        case green = "32", yellow = "33", red = "31", bold = "1", dim = "2"
    }

    public func paint(_ text: String, _ style: Style) -> String {
        colored ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    public var ok: String { paint("✓", .green) }
    public var warn: String { paint("!", .yellow) }
    public var fail: String { paint("✗", .red) }

    /// A progress or result line on stdout (suppressed by `--quiet`).
    public func line(_ text: String) {
        guard !quiet else { return }
        write(text + "\n", to: STDOUT_FILENO)
    }

    /// Starts a progress line on stdout and leaves it open, so that a heading shows at once yet
    /// may still get a note (`[2/5] Force — nothing left to kill`). Any other write ends it.
    public func begin(_ text: String) {
        guard !quiet else { return }
        lineOpen.withLock { open in
            emit((open ? "\n" : "") + text, to: STDOUT_FILENO)
            open = true
        }
    }

    /// Ends the line `begin` left open with `note`; when another write has ended it already,
    /// prints `line` instead.
    public func end(with note: String, orLine line: String) {
        guard !quiet else { return }
        lineOpen.withLock { open in
            emit((open ? note : line) + "\n", to: STDOUT_FILENO)
            open = false
        }
    }

    /// Ends the line `begin` left open, if any.
    public func endLine() {
        lineOpen.withLock { open in
            if open { emit("\n", to: STDOUT_FILENO) }
            open = false
        }
    }

    /// Output that is the command's product (tables, JSON, logs): printed even with `--quiet`.
    public func output(_ text: String) {
        write(text + "\n", to: STDOUT_FILENO)
    }

    /// `error: …` on stderr. Messages quote what devctl found (a port holder's command line, a
    /// compose error), so every control character but the line breaks of a long message is shown
    /// escaped; the places that quote foreign text escape its line breaks as well.
    public func error(_ text: String) {
        write(paint("error:", .red) + " " + Self.message(text) + "\n", to: STDERR_FILENO)
    }

    /// `warning: …` on stderr, escaped as `error` is.
    public func warning(_ text: String) {
        write(paint("warning:", .yellow) + " " + Self.message(text) + "\n", to: STDERR_FILENO)
    }

    private static func message(_ text: String) -> String {
        ForeignText.escaped(text, keepingTabs: true, keepingNewlines: true)
    }

    private func write(_ text: String, to fd: Int32) {
        lineOpen.withLock { open in
            if open { emit("\n", to: STDOUT_FILENO) }
            open = false
            emit(text, to: fd)
        }
    }

    private func emit(_ text: String, to fd: Int32) {
        // EPIPE (output piped to `head`) just ends the output; SIGPIPE is ignored by main.
        try? FileSystem.writeAll(fd, Array(text.utf8), path: fd == STDOUT_FILENO ? "stdout" : "stderr")
    }
}
