import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
/// `devctl pause NAME…` and `devctl resume NAME…`: SIGSTOP or SIGCONT to each named service's
/// whole process tree, one line per service. A service that is not running is an error for that
/// service (exit 1); one already in the asked-for state is said so (exit 0).
public struct PauseCommand: Command, Equatable {
    /// Which of the two commands this is: `pause` or `resume`.
    public var action: PauseAction
    /// The services to pause or resume; at least one.
    public var names: [String]

    public init(_ action: PauseAction, names: [String]) {
        self.action = action
        self.names = names
    }

    public init(_ invocation: Invocation) throws(UsageError) {
        guard let action = PauseAction(rawValue: invocation.command) else {
            throw UsageError("'\(invocation.command)' is neither 'pause' nor 'resume'")
        }
        self.init(action, names: invocation.names)
    }

    public func run(_ context: CommandContext) throws -> Int32 {
        let project = try context.loadProject()
        let names = try project.resolveNames(self.names)
        let lock = try context.lock(project)
        defer { lock.release() }
        let results = try Pauser(project: project).run(action, names: names)
        for (name, outcome) in results { Self.render(name, outcome, action: action, terminal: context.terminal) }
        return results.contains { $0.outcome.isFailure } ? ExitCode.failure : ExitCode.success
    }

    static func render(_ name: String, _ outcome: PauseOutcome, action: PauseAction, terminal: Terminal) {
        let (done, unchanged) = switch action {
        case .pause: ("paused", "is already paused")
        case .resume: ("resumed", "is not paused")
        }
        switch outcome {
        case .done(let pid, let processes):
            terminal.line("  \(terminal.ok)  \(name) \(done) (pid \(pid), \(Plural.counted(processes, "process")))")
        case .unchanged(let pid):
            terminal.line("  -  \(name) \(unchanged) (pid \(pid))")
        case .incomplete(let pid, let remaining):
            terminal.error("\(action.rawValue) '\(name)' (pid \(pid)): \(Plural.counted(remaining, "process")) of its tree did not become \(done)")
        case .notRunning(let reason):
            terminal.error("cannot \(action.rawValue) '\(name)': it is not running\(reason.map { " (\($0))" } ?? "")")
        case .failed(let pid, let reason):
            terminal.error("cannot \(action.rawValue) '\(name)' (pid \(pid)): \(reason)")
        }
    }
}
