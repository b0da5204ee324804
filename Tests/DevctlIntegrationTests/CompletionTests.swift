#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// `devctl completion SHELL` as a user loads it: the printed script must be valid for its shell
/// and complete the service names of the services.json it was printed from.
@Suite struct CompletionTests {
    static let config = #"{"services": [{"name": "api", "command": "true"}, {"name": "db-proxy", "command": "true"}]}"#

    static func installed(_ shell: String) -> Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/\(shell)") || FileManager.default.isExecutableFile(atPath: "/bin/\(shell)")
    }

    /// Runs `shell ARGUMENTS` with the script saved as `$SCRIPT` in the project folder; `$DRIVER`
    /// holds `driver`.
    static func check(_ script: String, with shell: String, _ arguments: String, driver: String = "",
                      in project: TestProject) -> RunResult {
        project.write("completion.\(shell)", script)
        let environment = ["SCRIPT": project.root + "/completion.\(shell)", "DRIVER": driver]
        return DevctlRunner.run(["-c", "exec \(shell) \(arguments)"], directory: project.root,
                                environment: project.environment.merging(environment) { $1 }, shell: true)
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func printedScriptIsValidForItsShellAndNamesTheServices(shell: String) throws {
        let project = TestProject(Self.config)
        defer { project.cleanUp() }
        let result = project.devctl("completion", shell)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stderr.isEmpty)
        #expect(result.stdout.contains("api") && result.stdout.contains("db-proxy"))
        if !Self.installed(shell) { try Test.cancel("\(shell) is not installed: the script was printed but not checked") }
        let flags = shell == "fish" ? "--no-config -n \"$SCRIPT\"" : "-n \"$SCRIPT\""
        let check = Self.check(result.stdout, with: shell, flags, in: project)
        #expect(check.exitCode == 0, "\(shell) -n rejected the script: \(check)")
    }

    @Test func bashCompletesServiceNamesFromServicesJson() {
        let project = TestProject(Self.config)
        defer { project.cleanUp() }
        let script = project.devctl("completion", "bash").stdout
        let driver = #"source "$SCRIPT"; COMP_WORDS=(devctl stop d); COMP_CWORD=2; _devctl; printf '%s\n' "${COMPREPLY[@]}""#
        let result = Self.check(script, with: "bash", "-c \"$DRIVER\"", driver: driver, in: project)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout == "db-proxy\n", "\(result)")
    }

    @Test func withoutServicesJsonTheScriptHasNoNamesAndNoError() throws {
        let project = TestProject("")
        unlink(project.root + "/services.json")
        defer { project.cleanUp() }
        let result = project.devctl("completion", "bash")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stderr.isEmpty, "\(result)")
        #expect(result.stdout.contains("local services=''"))
        #expect(Self.check(result.stdout, with: "bash", "-n \"$SCRIPT\"", in: project).exitCode == 0)
    }

    @Test func unknownShellIsAUsageError() {
        let project = TestProject(Self.config)
        defer { project.cleanUp() }
        let result = project.devctl("completion", "tcsh")
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("bash, zsh, fish"), "\(result)")
    }
}
