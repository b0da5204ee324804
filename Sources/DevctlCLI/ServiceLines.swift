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

    /// The line as printed, without its newline. Off a terminal or with `NO_COLOR`, escape
    /// sequences a service wrote itself are removed too: then the output has none at all.
    public func format(_ line: LogLine) -> String {
        let text = colored || !line.text.contains("\u{1B}") ? line.text : Self.withoutEscapes(line.text)
        return (prefixes[line.service] ?? "\(line.service) | ") + text
    }

    /// `text` without ANSI escape sequences: CSI (`ESC [ … final byte`), OSC (`ESC ] …` up to BEL
    /// or ST) and two-character ones (`ESC c`).
    static func withoutEscapes(_ text: String) -> String {
        var result = [Unicode.Scalar]()
        var scalars = text.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            guard scalar == "\u{1B}" else {
                result.append(scalar)
                continue
            }
            switch scalars.next() {
            case "["?:
                while let next = scalars.next(), !(0x40...0x7E).contains(next.value) {}
            case "]"?:
                var previous: Unicode.Scalar?
                while let next = scalars.next(), next != "\u{07}", !(previous == "\u{1B}" && next == "\\") {
                    previous = next
                }
            default:
                break
            }
        }
        var string = ""
        string.unicodeScalars.append(contentsOf: result)
        return string
    }

    /// Writes the line to stdout; false once stdout is gone (a reader like `head` has quit), which
    /// ends `logs -f`.
    public func write(_ line: LogLine) -> Bool {
        (try? FileSystem.writeAll(STDOUT_FILENO, Array((format(line) + "\n").utf8), path: "stdout")) != nil
    }
}
