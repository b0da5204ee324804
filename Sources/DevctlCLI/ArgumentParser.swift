import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
/// What the command line asks devctl to do.
public enum ParsedInvocation: Sendable, Equatable {
    /// Print the general help (`nil`) or a command's help.
    case help(command: String?)
    case version
    case run(Invocation)
}

/// A command to run, with its checked arguments; service names are checked later, against
/// services.json.
public struct Invocation: Sendable, Equatable {
    /// `-f/--file`.
    public var file: String?
    public var noColor: Bool
    public var command: String
    /// The positional arguments: service names, or `completion`'s shell.
    public var names: [String]
    /// The long names of the flags given, e.g. `["force", "json"]`.
    public var flags: Set<String>
    /// Long name to value, e.g. `["timeout": "2"]`; an optional value left out is filled in.
    public var values: [String: String]

    public init(
        file: String? = nil, noColor: Bool = false, command: String, names: [String] = [],
        flags: Set<String> = [], values: [String: String] = [:]
    ) {
        self.file = file
        self.noColor = noColor
        self.command = command
        self.names = names
        self.flags = flags
        self.values = values
    }

    /// Whether the option with this long name was given, as a flag or with a value.
    public func has(_ flag: String) -> Bool {
        flags.contains(flag) || values[flag] != nil
    }

    /// The value of a numeric option (`--timeout`, `--lines`), or nil when it was not given. The
    /// parser has checked the value against the option's kind; one that still does not convert is
    /// refused like any bad value.
    public func number<Number: LosslessStringConvertible>(_ long: String) throws(UsageError) -> Number? {
        guard let text = values[long] else { return nil }
        guard let number = Number(text) else {
            throw UsageError("invalid value '\(text)' for '--\(long)'", command: command)
        }
        return number
    }
}

/// A command line devctl cannot make sense of; exit code 2.
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One line, lowercase, names in single quotes.
    public var message: String
    /// The command whose help the footer points to; `nil` for devctl's own.
    public var command: String?

    public init(_ message: String, command: String? = nil) {
        self.message = message
        self.command = command
    }

    public var description: String {
        let help = command.map { "devctl \($0) --help" } ?? "devctl --help"
        return "\(message)\nSee '\(help)' for more information."
    }
}

/// Turns devctl's arguments into a `ParsedInvocation`, following `CommandTable`.
public enum ArgumentParser {
    /// Parses `arguments`, which exclude the program name.
    public static func parse(_ arguments: [String]) throws(UsageError) -> ParsedInvocation {
        var rest = arguments[...]
        var file: String?
        var noColor = false
        while let argument = rest.first, argument.hasPrefix("-"), argument != "-" {
            rest.removeFirst()
            if argument == "--" { break }
            let (option, value) = try readOption(argument, from: &rest, among: CommandTable.globalOptions)
            switch option.long {
            case "help": return .help(command: nil)
            case "version": return .version
            case "no-color": noColor = true
            default: file = value  // --file, the only global option with a value
            }
        }
        guard let name = rest.popFirst() else { return .help(command: nil) }
        guard let spec = CommandTable.command(named: name) else {
            throw UsageError(unknown("command", name, among: CommandTable.all.map(\.name)))
        }

        var invocation = Invocation(file: file, noColor: noColor, command: spec.name)
        var optionsEnded = false
        while let argument = rest.popFirst() {
            if optionsEnded || !argument.hasPrefix("-") || argument == "-" {
                invocation.names.append(argument)
            } else if argument == "--" {
                optionsEnded = true
            } else if let global = globalOption(argument, notOwnedBy: spec) {
                // `devctl status --no-color`: the global options that change how the command runs
                // may follow it, as in most tools; a command's own spelling wins (`logs -f` follows).
                let (_, value) = try readOption(argument, from: &rest, among: [global], command: spec)
                if global.long == "no-color" { invocation.noColor = true } else { invocation.file = value }
            } else {
                let (option, value) = try readOption(argument, from: &rest, among: spec.options, command: spec)
                if option.long == CommandTable.helpOption.long { return .help(command: spec.name) }
                if let value { invocation.values[option.long] = value } else { invocation.flags.insert(option.long) }
            }
        }
        try checkPositionals(invocation.names, of: spec)
        if spec.name == "help" { return .help(command: invocation.names.first) }
        return .run(invocation)
    }

    /// The global option `argument` spells, when it may follow the command and the command has no
    /// option of that spelling.
    private static func globalOption(_ argument: String, notOwnedBy spec: CommandSpec) -> OptionSpec? {
        let spelling = argument.hasPrefix("--") ? String(argument.prefix { $0 != "=" }) : argument
        guard !spec.options.contains(where: { $0.spellings.contains(spelling) }) else { return nil }
        return CommandTable.globalOptions.first { placeableAnywhere.contains($0.long) && $0.spellings.contains(spelling) }
    }

    /// The global options accepted after the command too; `--help` and `--version` there are the
    /// command's help, or unknown.
    private static let placeableAnywhere: Set<String> = ["file", "no-color"]

    /// Matches `argument` to one of `options` and takes its value from `--name=value` or from the
    /// next argument, which is consumed.
    private static func readOption(
        _ argument: String, from rest: inout ArraySlice<String>, among options: [OptionSpec],
        command: CommandSpec? = nil
    ) throws(UsageError) -> (OptionSpec, String?) {
        let parts = argument.hasPrefix("--")
            ? argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false) : [argument[...]]
        let spelling = String(parts[0])
        let inline = parts.count > 1 ? String(parts[1]) : nil
        guard let option = options.first(where: { $0.spellings.contains(spelling) }) else {
            throw UsageError(unknownOption(spelling, among: options, command: command), command: command?.name)
        }
        guard option.valueName != nil else {
            if inline != nil {
                throw UsageError("option '\(spelling)' does not take a value", command: command?.name)
            }
            return (option, nil)
        }
        var value = inline
        if value == nil, let next = rest.first, takesAsValue(next, for: option) {
            value = rest.removeFirst()
        }
        guard let value = value ?? option.defaultValue, !value.isEmpty else {
            throw UsageError("option '\(spelling)' needs a value", command: command?.name)
        }
        if let problem = problem(with: value, for: option) {
            throw UsageError("invalid value '\(value)' for '\(spelling)': expected \(problem)", command: command?.name)
        }
        return (option, value)
    }

    /// A following argument that looks like an option is not a value, except a negative number
    /// given to a required numeric value: that is a bad value, and saying so is clearer.
    private static func takesAsValue(_ next: String, for option: OptionSpec) -> Bool {
        if !next.hasPrefix("-") { return true }
        return option.defaultValue == nil && option.valueKind != .path && Double(next) != nil
    }

    /// What `value` should have been, or `nil` when it is fine.
    private static func problem(with value: String, for option: OptionSpec) -> String? {
        switch option.valueKind {
        case .path:
            return nil
        case .seconds:
            return seconds(value) == nil ? secondsExpected : nil
        case .count:
            guard let count = Int(value), count >= 0 else { return "a non-negative whole number" }
            return nil
        }
    }

    /// What a number of seconds on the command line (or in `DEVCTL_LOCK_TIMEOUT`) must be.
    static let secondsExpected = "a number of seconds from 0 to \(Int(ServicesConfig.maximumStopTimeout))"

    /// `text` as a number of seconds, bounded like stopTimeout, or nil: every such value becomes
    /// a Duration or compose's whole seconds later, and a huge one traps there.
    static func seconds(_ text: String) -> Double? {
        guard let seconds = Double(text), (0...ServicesConfig.maximumStopTimeout).contains(seconds) else { return nil }
        return seconds
    }

    private static func unknownOption(_ spelling: String, among options: [OptionSpec], command: CommandSpec?)
        -> String
    {
        if command != nil, spelling == "--version" {
            return "option '--version' goes before the command, as in 'devctl --version'"
        }
        // Short spellings are all one edit apart, so suggesting one for '-x' would be noise.
        let candidates = spelling.count > 2 ? options.flatMap(\.spellings) : []
        return unknown("option", spelling, among: candidates)
    }

    private static func checkPositionals(_ names: [String], of spec: CommandSpec) throws(UsageError) {
        let limit = spec.acceptsNames ? Int.max : spec.choices == nil ? 0 : 1
        if names.count > limit {
            let takes = limit == 0 ? "no arguments" : "a single \(spec.argumentLabel ?? "")"
            throw UsageError("unexpected argument '\(names[limit])'; '\(spec.name)' takes \(takes)", command: spec.name)
        }
        if names.count < spec.minimumNames {
            let needs = spec.choices.map { "a \(spec.argumentNoun): one of \($0.joined(separator: ", "))" }
                ?? "at least \(spec.minimumNames) service name\(spec.minimumNames == 1 ? "" : "s")"
            throw UsageError("'\(spec.name)' needs \(needs)", command: spec.name)
        }
        if let choices = spec.choices, let name = names.first, !choices.contains(name) {
            var message = unknown(spec.argumentNoun, name, among: choices)
            if !message.hasSuffix("?") { message += "; expected one of \(choices.joined(separator: ", "))" }
            throw UsageError(message, command: spec.name)
        }
    }

    private static func unknown(_ kind: String, _ word: String, among candidates: [String]) -> String {
        let message = "unknown \(kind) '\(word)'"
        // A word cut short is likelier than a typo: 'stat' means 'status', though 'start' is
        // fewer edits away.
        let completions = candidates.filter { $0.hasPrefix(word) }
        guard let suggestion = completions.count == 1 ? completions[0] : Spelling.closest(to: word, in: candidates)
        else { return message }
        return "\(message); did you mean '\(suggestion)'?"
    }
}
