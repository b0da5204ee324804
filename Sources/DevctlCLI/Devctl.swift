import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The devctl tool: parses the command line, runs one command, and returns its exit code. The
/// executable target is a one-line call into this.
public enum Devctl {
    public static let version = "0.1.0"

    public static func main(arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) -> Int32 {
        // Output piped into `head` must end quietly, not kill devctl mid-operation.
        signal(SIGPIPE, SIG_IGN)
        let invocation: Invocation
        let command: any Command
        do {
            switch try ArgumentParser.parse(arguments) {
            case .version:
                print("devctl \(version)")
                return ExitCode.success
            case .help(let command):
                if let command, let spec = CommandTable.command(named: command) {
                    print(HelpText.command(spec))
                } else {
                    print(HelpText.general(version: version))
                }
                return ExitCode.success
            case .run(let parsed):
                invocation = parsed
                command = try CommandTable.command(for: parsed)
            }
        } catch {
            Terminal(colored: false).error(error.description)
            return ExitCode.usage
        }
        let terminal = Terminal.standard(environment: environment, noColor: invocation.noColor,
                                         quiet: command.quietsProgress)
        let context = CommandContext(
            file: invocation.file, commandLine: (["devctl", invocation.command] + invocation.names).joined(separator: " "),
            terminal: terminal, environment: environment, currentDirectory: FileManager.default.currentDirectoryPath)
        do {
            return try command.run(context)
        } catch let failure as CommandFailure {
            terminal.error(failure.message)
            return failure.exitCode
        } catch let error as UnknownServiceError {
            terminal.error(error.description)
            return ExitCode.usage
        } catch {
            terminal.error("\(error)")
            return ExitCode.failure
        }
    }
}
