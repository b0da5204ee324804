import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
/// The scripts `devctl completion SHELL` prints: commands, each command's options and, where a
/// command takes NAMEs, the project's service names, all from `CommandTable`.
public enum CompletionScript {
    /// The script for `shell` (`bash`, `zsh` or `fish`), or `nil` for another shell. The service
    /// names are baked in; names outside services.json's alphabet (`[A-Za-z0-9_-]`) cannot come
    /// from a valid file and are left out, so that no name is ever evaluated by the shell.
    public static func script(for shell: String, serviceNames: [String]) -> String? {
        let names = serviceNames.filter { NameRule.isValid($0) }
        switch shell {
        case "bash": return bash(names)
        case "zsh": return zsh(names)
        case "fish": return fish(names)
        default: return nil
        }
    }

    /// The global options whose value must be skipped to find the command: `-f`, `--file`.
    private static let globalValueOptions = CommandTable.globalOptions.filter { $0.valueName != nil }
        .flatMap(\.spellings)

    // MARK: bash

    private static func bash(_ names: [String]) -> String {
        let global = CommandTable.globalOptions.flatMap(\.spellings) + CommandTable.all.map(\.name)
        var cases = ["        '')"] + bashValueCases(CommandTable.globalOptions)
            + ["            words='\(global.joined(separator: " "))' ;;"]
        for spec in CommandTable.all {
            let words = spec.options.flatMap(\.spellings) + (spec.choices ?? []) + (spec.acceptsNames ? ["$services"] : [])
            cases += ["        \(spec.name))"] + bashValueCases(spec.options)
                + ["            words=\"\(words.joined(separator: " "))\" ;;"]
        }
        return """
            # bash completion for devctl, printed by 'devctl completion bash'.
            # Load it with: source <(devctl completion bash)
            _devctl() {
                local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
                local services='\(names.joined(separator: " "))'
                local command='' words='' i
                for (( i = 1; i < COMP_CWORD; i++ )); do
                    case ${COMP_WORDS[i]} in
                        \(globalValueOptions.joined(separator: "|"))) (( i++ )) ;;
                        -*) ;;
                        *) command=${COMP_WORDS[i]}; break ;;
                    esac
                done
                case $command in
            \(cases.joined(separator: "\n"))
                esac
                mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
            }
            complete -F _devctl devctl

            """
    }

    /// After an option that takes a value, files for a path and nothing for a number.
    private static func bashValueCases(_ options: [OptionSpec]) -> [String] {
        let branches = options.filter { $0.valueName != nil }.map { option in
            let completion = option.valueKind == .path
                ? "compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- \"$cur\"); return"
                : "return"
            return "                \(option.spellings.joined(separator: "|"))) \(completion) ;;"
        }
        return branches.isEmpty ? [] : ["            case $prev in"] + branches + ["            esac"]
    }

    // MARK: zsh

    private static func zsh(_ names: [String]) -> String {
        let commands = CommandTable.all.map { "        \(zshQuoted("\($0.name):\($0.abstract)"))" }
        let cases = CommandTable.all.map { spec in
            var specs = spec.options.map(zshOption)
            if let choices = spec.choices {
                specs.append(zshQuoted("1:\(spec.argumentNoun):(\(choices.joined(separator: " ")))"))
            } else if spec.acceptsNames {
                specs.append("'*:service:{compadd -a services}'")
            }
            return "                \(spec.name)) _arguments \\\n"
                + specs.map { "                    \($0)" }.joined(separator: " \\\n") + " ;;"
        }
        return """
            #compdef devctl
            # zsh completion for devctl, printed by 'devctl completion zsh'.
            # Load it with: source <(devctl completion zsh)

            _devctl() {
                local -a services=(\(names.joined(separator: " ")))
                local -a commands=(
            \(commands.joined(separator: "\n"))
                )
                local curcontext=$curcontext state line
                _arguments -C \\
            \(CommandTable.globalOptions.map { "        \(zshOption($0)) \\" }.joined(separator: "\n"))
                    '1:command:->command' \\
                    '*::argument:->argument'
                case $state in
                    command) _describe -t commands command commands ;;
                    argument)
                        case $line[1] in
            \(cases.joined(separator: "\n"))
                        esac ;;
                esac
            }

            # Autoloaded from $fpath this file is the body of _devctl; sourced, it registers it.
            if [[ $funcstack[1] == _devctl ]]; then
                _devctl "$@"
            else
                compdef _devctl devctl
            fi

            """
    }

    /// An `_arguments` spec: `'(-q --quiet)'{-q,--quiet}'[Print less.]'`, then the value's message
    /// and action (`::` when the value is optional).
    private static func zshOption(_ option: OptionSpec) -> String {
        let spellings = option.spellings
        // --help and --version end the command line: nothing may follow them.
        let exclusions = option.long == "help" || option.long == "version" ? "- *" : spellings.joined(separator: " ")
        let names = spellings.count > 1 ? "{\(spellings.joined(separator: ","))}" : spellings[0]
        let explanation = option.help.replacing("\\", with: "\\\\").replacing("]", with: "\\]")
        var value = ""
        if let valueName = option.valueName {
            let action = option.valueKind == .path ? "_files" : " "
            value = (option.defaultValue == nil ? ":" : "::") + "\(valueName):\(action)"
        }
        return "\(zshQuoted("(\(exclusions))"))\(names)\(zshQuoted("[\(explanation)]\(value)"))"
    }

    private static func zshQuoted(_ text: String) -> String {
        "'" + text.replacing("'", with: "'\\''") + "'"
    }

    // MARK: fish

    private static func fish(_ names: [String]) -> String {
        // Files only where an option takes a path.
        var lines = ["complete -c devctl -f"]
        let before = "'not __devctl_command'"
        lines += CommandTable.globalOptions.map { fishOption($0, condition: before) }
        lines += CommandTable.all.map {
            "complete -c devctl -n \(before) -a \($0.name) -d \(fishQuoted($0.abstract))"
        }
        for spec in CommandTable.all {
            let condition = fishQuoted("__devctl_using \(spec.name)")
            lines += spec.options.map { fishOption($0, condition: condition) }
            if let choices = spec.choices {
                lines.append("complete -c devctl -n \(condition) -a \(fishQuoted(choices.joined(separator: " ")))")
            } else if spec.acceptsNames, !names.isEmpty {
                lines.append(
                    "complete -c devctl -n \(condition) -a \(fishQuoted(names.joined(separator: " "))) -d service")
            }
        }
        return """
            # fish completion for devctl, printed by 'devctl completion fish'.
            # Load it with: devctl completion fish | source

            # The command on the line so far: the first word that is neither an option nor the
            # value of a global option.
            function __devctl_command
                set -l tokens (commandline -opc)
                set -e tokens[1]
                while set -q tokens[1]
                    switch $tokens[1]
                        case \(globalValueOptions.joined(separator: " "))
                            set -e tokens[1]
                        case '-*'
                        case '*'
                            echo $tokens[1]
                            return 0
                    end
                    set -e tokens[1]
                end
                return 1
            end

            function __devctl_using
                set -l command (__devctl_command)
                and test "$command" = "$argv[1]"
            end

            \(lines.joined(separator: "\n"))

            """
    }

    /// A `complete` line for `option`. fish has no optional option values, so an optional path is
    /// completed like a required one: offering files after it is the useful half.
    private static func fishOption(_ option: OptionSpec, condition: String) -> String {
        var line = "complete -c devctl -n \(condition)"
        if let short = option.short { line += " -s \(short)" }
        line += " -l \(option.long)"
        if option.valueName != nil { line += option.valueKind == .path ? " -r -F" : " -x" }
        return line + " -d \(fishQuoted(option.help))"
    }

    private static func fishQuoted(_ text: String) -> String {
        "'" + text.replacing("\\", with: "\\\\").replacing("'", with: "\\'") + "'"
    }
}
