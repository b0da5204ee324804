import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
/// `devctl completion bash|zsh|fish`: prints the completion script, with the service names of the
/// services.json found from here baked in. Without one (or with one that does not load) the
/// script completes commands and options only: it is often generated from a shell's startup
/// file, where an error would be noise.
public struct CompletionCommand: Command, Equatable {
    /// `bash`, `zsh` or `fish`.
    public var shell: String

    public init(shell: String) {
        self.shell = shell
    }

    public init(_ invocation: Invocation) throws(UsageError) {
        guard let shell = invocation.names.first else {
            throw UsageError("'completion' needs a shell: one of bash, zsh, fish", command: "completion")
        }
        self.init(shell: shell)
    }

    public func run(_ context: CommandContext) throws -> Int32 {
        let services = (try? context.loadProject())?.config.services.map(\.name) ?? []
        guard let script = CompletionScript.script(for: shell, serviceNames: services) else {
            throw CommandFailure("unknown shell '\(shell)'; expected one of bash, zsh, fish", exitCode: ExitCode.usage)
        }
        var text = Substring(script)
        while text.hasSuffix("\n") { text.removeLast() }
        context.terminal.output(String(text))
        return ExitCode.success
    }
}
