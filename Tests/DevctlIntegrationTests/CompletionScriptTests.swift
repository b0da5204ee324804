import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation
import Testing

/// The full path of `name` on `$PATH`, if it is installed.
private func executable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").map { "\($0)/\(name)" }.first(where: FileManager.default.isExecutableFile)
}

/// Runs `shell` on the script for it (written to a temporary file), with `arguments` after the
/// file; returns the exit status and everything printed.
private func runShell(_ shell: String, _ arguments: [String], services: [String] = ["api", "db-proxy"]) throws
    -> (status: Int32, output: String)
{
    let script = try #require(CompletionScript.script(for: shell, serviceNames: services))
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("devctl-completion-\(UUID()).\(shell)")
    try script.write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try #require(executable(shell)))
    process.arguments = arguments.map { $0 == "SCRIPT" ? file.path : $0 }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, output)
}

/// What bash's completion offers for the words typed so far (the last one being completed).
private func bashCompletions(_ words: String...) throws -> [String] {
    let driver = #"source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _devctl; printf '%s\n' "${COMPREPLY[@]}""#
    let result = try runShell("bash", ["-c", driver, "_", "SCRIPT"] + words)
    #expect(result.status == 0, "\(result.output)")
    return result.output.split(separator: "\n").map(String.init)
}

/// What fish's completion offers for `line`, without the descriptions.
private func fishCompletions(_ line: String) throws -> [String] {
    let result = try runShell("fish", ["--no-config", "-c", "source $argv[1]; complete -C $argv[2]", "SCRIPT", line])
    #expect(result.status == 0, "\(result.output)")
    return result.output.split(separator: "\n").map { String($0.prefix(while: { $0 != "\t" })) }
}

/// The completion scripts, checked by the shells themselves (bash, zsh, fish run here), so they
/// live with the tests that start processes.
@Suite struct CompletionScriptTests {
    @Test func bashAcceptsItsScript() throws {
        let result = try runShell("bash", ["-n", "SCRIPT"])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test(.enabled(if: executable("zsh") != nil, "zsh is not installed"))
    func zshAcceptsItsScript() throws {
        let result = try runShell("zsh", ["-n", "SCRIPT"])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test(.enabled(if: executable("fish") != nil, "fish is not installed"))
    func fishAcceptsItsScript() throws {
        let result = try runShell("fish", ["--no-config", "-n", "SCRIPT"])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func scriptsNameEveryCommandOptionAndService(shell: String) throws {
        let script = try #require(CompletionScript.script(for: shell, serviceNames: ["api", "db-proxy"]))
        for spec in CommandTable.all {
            #expect(script.contains(spec.name))
            for option in spec.options {
                #expect(script.contains(shell == "fish" ? "-l \(option.long)" : "--\(option.long)"))
            }
        }
        #expect(script.contains("api") && script.contains("db-proxy"))
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func namesTheShellWouldEvaluateAreLeftOut(shell: String) throws {
        let script = try #require(CompletionScript.script(for: shell, serviceNames: ["api", "$(touch pwned)", "a'b"]))
        #expect(script.contains("api"))
        #expect(!script.contains("pwned"))
        #expect(!script.contains("a'b"))
    }

    @Test func unknownShellHasNoScript() {
        #expect(CompletionScript.script(for: "tcsh", serviceNames: []) == nil)
    }

    @Test func bashCompletesCommandsOptionsNamesAndShells() throws {
        #expect(try bashCompletions("devctl", "sta") == ["start", "status"])
        #expect(try bashCompletions("devctl", "-f", "x.json", "st") == ["start", "stop", "status"])
        #expect(try bashCompletions("devctl", "stop", "--fo") == ["--force"])
        #expect(try bashCompletions("devctl", "stop", "api", "d") == ["db-proxy"])
        #expect(try bashCompletions("devctl", "logs", "-f", "--l") == ["--lines"])
        #expect(try bashCompletions("devctl", "completion", "") == ["-h", "--help", "bash", "zsh", "fish"])
        #expect(try bashCompletions("devctl", "stop", "--timeout", "") == [])
        #expect(try bashCompletions("devctl", "init", "") == ["--from-procfile", "--force", "-h", "--help"])
    }

    @Test(.enabled(if: executable("fish") != nil, "fish is not installed"))
    func fishCompletesCommandsOptionsNamesAndShells() throws {
        #expect(try fishCompletions("devctl sta") == ["start", "status"])
        #expect(try fishCompletions("devctl -f x.json sto") == ["stop"])
        #expect(try fishCompletions("devctl stop --fo") == ["--force"])
        #expect(try fishCompletions("devctl logs -f ") == ["api", "db-proxy"])
        #expect(Set(try fishCompletions("devctl completion ")) == ["bash", "zsh", "fish"])
    }
}
