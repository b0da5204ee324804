import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Testing

@Suite struct HelpTextTests {
    /// The text with every run of spaces and line breaks made one space, so wrapped sentences
    /// can be searched for.
    private func unwrapped(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
    }

    @Test(arguments: CommandTable.all.map(\.name))
    func commandHelpDescribesEveryOption(command: String) throws {
        let spec = try #require(CommandTable.command(named: command))
        let help = HelpText.command(spec)
        #expect(help.hasPrefix("OVERVIEW: "))
        #expect(unwrapped(help).contains(spec.abstract))
        #expect(help.contains("\nUSAGE: devctl [-f FILE] \(spec.name)"))
        #expect(help.contains("\nOPTIONS:\n"))
        #expect(help.contains("  -h, --help  "))
        for option in spec.options {
            let label = option.spellings.joined(separator: ", ")
            #expect(help.contains("\n  \(label)"), "\(label) missing from 'devctl \(command) --help'")
            #expect(unwrapped(help).contains(option.help))
            if option.long != "help" { #expect(unwrapped(help).contains("[--\(option.long)")) }
        }
        if let label = spec.arguments {
            #expect(help.contains("\nARGUMENTS:\n"))
            #expect(help.contains(" \(label)"))
        }
    }

    @Test func usageShowsOptionalAndRequiredValues() throws {
        let initHelp = HelpText.command(try #require(CommandTable.command(named: "init")))
        #expect(initHelp.contains("USAGE: devctl [-f FILE] init [--from-procfile [FILE]] [--force]"))
        #expect(unwrapped(HelpText.command(try #require(CommandTable.command(named: "stop"))))
            .contains("USAGE: devctl [-f FILE] stop [NAME…] [--force] [--containers] [--timeout S] [--json] [--quiet]"))
    }

    @Test func optionHelpStartsInOneColumn() throws {
        let help = HelpText.command(try #require(CommandTable.command(named: "stop")))
        let rows = help.split(separator: "\n").filter { $0.hasPrefix("  -") || $0.hasPrefix("  NAME") }
        // Where the help starts: after the label and the run of spaces following it.
        let columns = Set(rows.map { row in
            let labels = row.dropFirst(2).split(separator: "  ", maxSplits: 1)
            return row.count - labels[1].drop(while: { $0 == " " }).count
        })
        #expect(rows.count == 7)
        #expect(columns.count == 1)
    }

    @Test func generalHelpListsCommandsAndGlobalOptions() {
        let help = HelpText.general(version: "1.2.3")
        #expect(help.hasPrefix("OVERVIEW: devctl 1.2.3"))
        #expect(help.contains("\nUSAGE: devctl [-f FILE] [--no-color] <subcommand>\n"))
        #expect(help.contains("\n  -f, --file PATH "))
        #expect(help.contains("\n  --version "))
        #expect(help.contains("\nSUBCOMMANDS:\n"))
        for spec in CommandTable.all {
            #expect(help.contains("\n  \(spec.name) "))
            #expect(unwrapped(help).contains(spec.abstract))
        }
        #expect(help.contains("See 'devctl help <subcommand>' for detailed help."))
        #expect(unwrapped(help).contains("a lone '--' names nothing ('devctl stop --' is 'devctl stop')"))
    }

    @Test func everyLineFitsEightyColumns() {
        let pages = [HelpText.general(version: "1.2.3")] + CommandTable.all.map(HelpText.command)
        for line in pages.flatMap({ $0.split(separator: "\n") }) {
            #expect(line.count <= 80, "too wide: \(line)")
        }
    }
}
