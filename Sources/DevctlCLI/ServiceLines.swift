import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif

/// Prints service output the way `logs` and `up` show it: `name | line`, the names padded to the
/// longest one so the lines align, and on a terminal each name in a colour of its own. A
/// service's colour follows its place in services.json, so it is the same in every command and
/// neighbours never share one (until the palette runs out).
public struct ServiceLines: Sendable {
    /// Cyan, yellow, green, magenta, blue and their bright variants; red is left for errors.
    static let palette = ["36", "33", "32", "35", "34", "96", "93", "92", "95", "94"]

    private let prefixes: [String: String]
    private let colored: Bool

    /// `shown` are the services that may appear; `configured` is every service of services.json,
    /// in order, which decides the colours.
    public init(shown: [String], configured: [String], colored: Bool) {
        let width = shown.map(\.count).max() ?? 0
        var prefixes = [String: String]()
        for name in shown {
            let label = name + String(repeating: " ", count: width - name.count) + " |"
            guard colored, let position = configured.firstIndex(of: name) else {
                prefixes[name] = label + " "
                continue
            }
            prefixes[name] = "\u{1B}[\(Self.palette[position % Self.palette.count])m\(label)\u{1B}[0m "
        }
        self.prefixes = prefixes
        self.colored = colored
    }

    /// The line as printed, without its newline.
    public func format(_ line: LogLine) -> String {
        (prefixes[line.service] ?? "\(line.service) | ") + Self.text(line.text, colored: colored)
    }

    /// A line a service wrote, as a terminal may show it: its own colours kept on a colour
    /// terminal and removed elsewhere (then the output has no escape sequence at all), its tabs
    /// kept, and every other control shown escaped, so that a `\r` cannot write over the prefix
    /// and pass for another service's line, nor a sequence clear or retitle the terminal.
    public static func text(_ text: String, colored: Bool) -> String {
        ForeignText.escaped(text, colours: colored ? .kept : .removed, keepingTabs: true)
    }

    /// Writes the line to stdout; false once stdout is gone (a reader like `head` has quit), which
    /// ends `logs -f`.
    public func write(_ line: LogLine) -> Bool {
        (try? FileSystem.writeAll(STDOUT_FILENO, Array((format(line) + "\n").utf8), path: "stdout")) != nil
    }
}
