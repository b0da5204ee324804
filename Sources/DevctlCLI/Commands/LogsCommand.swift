import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif

/// `devctl logs [NAME…] [-n N] [-f] [-t]`: the last N lines of each service's log, merged by the
/// time each line arrived and prefixed `name | `, without their stamps unless `-t`; `-f` then
/// follows every log until Ctrl-C. Only reads: it never takes the lock, so it works beside a
/// running `start`, `stop` or `up`.
public struct LogsCommand: Command, Equatable {
    public static let defaultLines = 20
    /// How often `-f` looks for new output.
    static let pollInterval: useconds_t = 100_000

    /// The services whose logs to show; empty means all.
    public var names: [String]
    /// `-f/--follow`: keep printing new lines until Ctrl-C.
    public var follow: Bool
    /// `-n/--lines N`: how many of each log's last lines to show first.
    public var lines: Int
    /// `-t/--timestamps`: show the stamp each line was stored with.
    public var timestamps: Bool

    public init(names: [String] = [], follow: Bool = false, lines: Int = LogsCommand.defaultLines, timestamps: Bool = false) {
        self.names = names
        self.follow = follow
        self.lines = lines
        self.timestamps = timestamps
    }

    public init(_ invocation: Invocation) throws(UsageError) {
        self.init(names: invocation.names, follow: invocation.has("follow"),
                  lines: try invocation.number("lines") ?? Self.defaultLines, timestamps: invocation.has("timestamps"))
    }

    /// The line as `logs` prints it after the name: with `-t`, its stamp first, and blanks as
    /// wide in place of the stamp a line written before stamps lacks, so the texts stay aligned.
    func shown(_ line: LogLine) -> LogLine {
        guard timestamps else { return line }
        var shown = line
        shown.text = (line.stamp ?? String(repeating: " ", count: LogStamp.width)) + " " + line.text
        return shown
    }

    public func run(_ context: CommandContext) throws -> Int32 {
        let project = try context.loadProject()
        let names = try project.resolveNames(self.names)
        let printer = ServiceLines(shown: names, configured: project.config.services.map(\.name),
                                   colored: context.terminal.colored)

        // Read without trusting `.pids/`, but never through a link where it or `logs/` belongs.
        if let problem = TrackingTrust.unusableFolder(project.store) {
            throw CommandFailure(problem.message(suggestingForce: false))
        }
        var entries = [[LogEntry]]()
        var positions = [String: LogPosition]()
        var unreadable = Set<String>()
        for name in names {
            let path = project.store.logFile(for: name)
            let tail: LogReader.Tail?
            do {
                tail = try LogReader.tail(path: path, service: name, count: lines, completeLinesOnly: follow)
            } catch {
                context.terminal.error("cannot read the log of '\(name)': \(error)")
                unreadable.insert(name)
                continue
            }
            guard let tail else {
                context.terminal.warning("no log for '\(name)' yet (\(path) does not exist)")
                continue
            }
            entries.append(tail.entries)
            positions[name] = tail.position
        }
        let outcome = unreadable.isEmpty ? ExitCode.success : ExitCode.failure
        for line in LogMerge.merge(entries) where !printer.write(shown(line)) { return outcome }
        let followed = names.filter { !unreadable.contains($0) }
        guard follow, !followed.isEmpty else { return outcome }

        // Ctrl-C is how following ends: quietly, with success unless a log could not be read.
        SignalTrap.install()
        let follower = LogFollower(logs: followed.map { ($0, project.store.logFile(for: $0)) }, start: positions,
                                   showingNotes: true)
        var reading = true
        while reading, SignalTrap.count == 0 {
            follower.poll { line in
                reading = printer.write(shown(line))
                return reading
            }
            if reading { usleep(Self.pollInterval) }
        }
        return outcome
    }
}
