import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
/// The `--help` pages, laid out the way swift-argument-parser tools lay them out, from
/// `CommandTable`; without a final newline, for `print`.
public enum HelpText {
    private static let width = 80

    public static func general(version: String) -> String {
        let options = CommandTable.globalOptions.map { (label(for: $0), $0.help) }
        let commands = CommandTable.all.map { ($0.name, $0.abstract) }
        let column = labelColumn(options + commands)
        return """
            \(wrap(words("devctl \(version): start, track and stop every process of a local development environment."), first: "OVERVIEW: "))

            USAGE: devctl [-f FILE] [--no-color] <subcommand>

            OPTIONS:
            \(rows(options, column: column))

            SUBCOMMANDS:
            \(rows(commands, column: column))

              See 'devctl help <subcommand>' for detailed help.
              '--' ends the options: every word after it is a name ('devctl stop -- NAME'),
              and a lone '--' names nothing ('devctl stop --' is 'devctl stop').
            """
    }

    public static func command(_ spec: CommandSpec) -> String {
        let arguments = spec.argumentLabel.map { [($0, argumentHelp(spec))] } ?? []
        let options = spec.options.map { (label(for: $0), $0.help) }
        let column = labelColumn(arguments + options)
        var sections = [wrap(words(spec.abstract), first: "OVERVIEW: ")]
        if let discussion = spec.discussion { sections.append(discussion) }
        sections.append(wrap(usage(spec), first: "USAGE: ", rest: "         "))
        if !arguments.isEmpty { sections.append("ARGUMENTS:\n" + rows(arguments, column: column)) }
        sections.append("OPTIONS:\n" + rows(options, column: column))
        return sections.joined(separator: "\n\n")
    }

    /// The usage line's words; `-h/--help` is left out, as every command has it.
    private static func usage(_ spec: CommandSpec) -> [String] {
        let options = spec.options.filter { $0.long != CommandTable.helpOption.long }.map { option in
            "[--\(option.long)\(placeholder(for: option))]"
        }
        return ["devctl", "[-f FILE]", spec.name] + (spec.arguments.map { [$0] } ?? []) + options
    }

    private static func argumentHelp(_ spec: CommandSpec) -> String {
        if let choices = spec.choices { return "One of: \(choices.joined(separator: ", "))." }
        return "Services, as named in services.json" + (spec.minimumNames == 0 ? " (default: all)." : ".")
    }

    /// `-n, --lines N`, `--from-procfile [FILE]`.
    private static func label(for option: OptionSpec) -> String {
        option.spellings.joined(separator: ", ") + placeholder(for: option)
    }

    /// ` S` for a required value, ` [FILE]` for an optional one, nothing for a flag.
    private static func placeholder(for option: OptionSpec) -> String {
        option.valueName.map { option.defaultValue == nil ? " \($0)" : " [\($0)]" } ?? ""
    }

    /// Where the second column starts: past the longest label, at least where
    /// swift-argument-parser puts it.
    private static func labelColumn(_ rows: [(String, String)]) -> Int {
        max(26, 2 + (rows.map(\.0.count).max() ?? 0) + 2)
    }

    private static func rows(_ rows: [(String, String)], column: Int) -> String {
        rows.map { label, help in
            let first = "  " + label + String(repeating: " ", count: column - 2 - label.count)
            return wrap(words(help), first: first, rest: String(repeating: " ", count: column))
        }.joined(separator: "\n")
    }

    private static func words(_ text: String) -> [String] {
        text.split(separator: " ").map(String.init)
    }

    /// Fills lines up to `width` with `words`, the first line starting with `first` and the others
    /// with `rest`.
    private static func wrap(_ words: [String], first: String, rest: String = "") -> String {
        var lines: [String] = []
        var line = first
        var lineIsEmpty = true
        for word in words {
            if !lineIsEmpty, line.count + 1 + word.count > width {
                lines.append(line)
                line = rest
                lineIsEmpty = true
            }
            line += (lineIsEmpty ? "" : " ") + word
            lineIsEmpty = false
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }
}
