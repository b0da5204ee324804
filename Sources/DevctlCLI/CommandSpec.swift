import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
/// One option of a command (or of devctl itself), described once so that parsing, help text and
/// completion scripts cannot disagree about it.
public struct OptionSpec: Sendable {
    /// What an option's value must look like; the parser checks it, completion scripts offer files
    /// only for paths.
    public enum ValueKind: Sendable {
        case path
        /// A number of seconds from 0 to `ServicesConfig.maximumStopTimeout` (like `stopTimeout`), fractions allowed.
        case seconds
        /// A non-negative whole number.
        case count
    }

    /// The long name without dashes: `force` for `--force`.
    public let long: String
    public let short: Character?
    /// The value's placeholder in help (`S`, `FILE`); `nil` makes the option a flag.
    public let valueName: String?
    /// Unused for flags.
    public let valueKind: ValueKind
    /// The value used when the option is given without one; non-`nil` makes the value optional.
    public let defaultValue: String?
    public let help: String

    static func flag(_ long: String, short: Character? = nil, help: String) -> OptionSpec {
        OptionSpec(long: long, short: short, valueName: nil, valueKind: .path, defaultValue: nil, help: help)
    }

    static func option(
        _ long: String, short: Character? = nil, valueName: String, kind: ValueKind = .path,
        defaultValue: String? = nil, help: String
    ) -> OptionSpec {
        OptionSpec(
            long: long, short: short, valueName: valueName, valueKind: kind, defaultValue: defaultValue,
            help: help)
    }

    /// The ways to write the option on the command line: `["-q", "--quiet"]`.
    public var spellings: [String] {
        (short.map { ["-\($0)"] } ?? []) + ["--\(long)"]
    }
}

/// One devctl command: its name, what it does, the positional arguments and options it accepts.
/// The parser, help text and completion scripts all read it from `CommandTable`.
public struct CommandSpec: Sendable {
    public let name: String
    /// One sentence: the OVERVIEW of the command's help and its line in the general help.
    public let abstract: String
    /// More detail for the command's own help, pre-wrapped to 80 columns.
    public let discussion: String?
    /// The positional part of the usage line, e.g. `[NAME…]`; `nil` when there is none.
    public let arguments: String?
    /// Whether the positional arguments are service names (any number, at least `minimumNames`).
    public let acceptsNames: Bool
    public let minimumNames: Int
    /// The only values the single positional argument may take (`completion`'s shells, `help`'s
    /// commands); `nil` when it is not a fixed choice.
    public let choices: [String]?
    /// The command's options, ending with `-h/--help`, which every command accepts.
    public let options: [OptionSpec]
    /// What reads the options and runs; nil only for `help`, which the parser answers itself.
    public let command: (any Command.Type)?

    init(
        name: String, abstract: String, discussion: String? = nil, arguments: String? = nil,
        acceptsNames: Bool = false, minimumNames: Int = 0, choices: [String]? = nil,
        options: [OptionSpec] = [], command: (any Command.Type)?
    ) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.arguments = arguments
        self.acceptsNames = acceptsNames
        self.minimumNames = minimumNames
        self.choices = choices
        self.options = options + [CommandTable.helpOption]
        self.command = command
    }

    /// The positional argument as a label, without brackets: `NAME…`.
    var argumentLabel: String? {
        arguments?.filter { $0 != "[" && $0 != "]" }
    }

    /// What one positional argument is called in error messages: `name`, `shell`.
    var argumentNoun: String {
        (argumentLabel ?? "argument").filter { $0 != "…" }.lowercased()
    }
}
