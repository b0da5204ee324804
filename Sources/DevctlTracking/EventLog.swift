import DevctlProcesses
import DevctlSystem
import DevctlText
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The append-only audit trail `.pids/events.log`: one JSON object per line for every start, signal,
/// kill and outcome, so "who killed my process, and why" always has an answer.
public struct EventLog: Sendable {
    public let path: String
    private let failures: FirstFailure

    /// `warn` is told, once, the first time an event cannot be recorded.
    public init(path: String, warn: @escaping @Sendable (String) -> Void = EventLog.warnOnStandardError) {
        self.path = path
        failures = FirstFailure(warn: warn)
    }

    /// Appends one event, to a regular file only (`FileSystem.append`): a planted link is never
    /// written through, a FIFO never waited on. Failing to audit never fails the operation it
    /// describes, but it is said, once (an invocation has one `EventLog`, in its `Project`), so
    /// that a gap in the trail is no secret.
    public func record(_ event: String, service: String? = nil, pid: Int32? = nil, signal: Signal? = nil,
                       outcome: String? = nil, detail: String? = nil) {
        var fields: [(String, JSONText)] = [("time", .string(Self.timestamp())), ("event", .string(event))]
        if let service { fields.append(("service", .string(service))) }
        if let pid { fields.append(("pid", .int(Int(pid)))) }
        if let signal { fields.append(("signal", .string(signal.name))) }
        if let outcome { fields.append(("outcome", .string(outcome))) }
        if let detail { fields.append(("detail", .string(detail))) }
        do {
            try FileSystem.append(path, Array((JSONText.object(fields).rendered() + "\n").utf8))
        } catch {
            failures.report("cannot write the audit trail, events go unrecorded: \(error)")
        }
    }

    /// `warning: …` on stderr, as the CLI prints its warnings; this layer has no terminal of its own.
    public static let warnOnStandardError: @Sendable (String) -> Void = { message in
        try? FileSystem.writeAll(STDERR_FILENO, Array("warning: \(message)\n".utf8), path: "stderr")
    }

    /// Passes on the first failure only: one line is enough to make the user look, and a stop of
    /// fifty services should not print fifty.
    private final class FirstFailure: Sendable {
        private let reported = Mutex(false)
        private let warn: @Sendable (String) -> Void

        init(warn: @escaping @Sendable (String) -> Void) { self.warn = warn }

        func report(_ message: String) {
            let first = reported.withLock { reported in
                defer { reported = true }
                return !reported
            }
            if first { warn(message) }
        }
    }

    /// `2026-11-21T14:37:01.930Z`: now, in UTC to the millisecond, as every log line's stamp is
    /// written (`LogStamp`), so that events and log lines read alike and sort together.
    static func timestamp() -> String {
        LogStamp.format(milliseconds: LogStamp.nowMilliseconds())
    }
}
