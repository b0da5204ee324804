import Foundation

/// Runs the built devctl with its stdout on a pseudo-terminal, through util-linux `script`, so
/// tests can check what a user at a terminal sees: colour, and none of it with `NO_COLOR`.
enum PseudoTerminal {
    static let script = "/usr/bin/script"

    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: script) }

    /// `devctl ARGUMENTS` in the project's folder under a terminal; `environment` is added to the
    /// project's. The output is what the terminal showed (with `\r\n` line ends).
    static func devctl(_ arguments: [String], in project: TestProject, environment: [String: String] = [:],
                       timeout: Double = 120) -> RunResult {
        var combined = project.environment.merging(environment) { _, new in new }
        combined["DEVCTL_COMMAND"] = ([DevctlRunner.binary] + arguments).map(quoted).joined(separator: " ")
        combined["SHELL"] = "/bin/sh"
        return DevctlRunner.run(["-c", "exec \(script) -qec \"$DEVCTL_COMMAND\" /dev/null"], directory: project.root,
                                environment: combined, shell: true, timeout: timeout)
    }

    private static func quoted(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
