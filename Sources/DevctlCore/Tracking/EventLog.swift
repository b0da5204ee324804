import Foundation

/// The append-only audit trail `.pids/events.log`: one JSON object per line for every start, signal,
/// kill and outcome, so "who killed my process, and why" always has an answer.
public struct EventLog: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// Appends one event. Failing to audit never fails the operation it describes.
    public func record(_ event: String, service: String? = nil, pid: Int32? = nil, signal: Signal? = nil,
                       outcome: String? = nil, detail: String? = nil) {
        var fields: [(String, JSONText)] = [("time", .string(Self.timestamp())), ("event", .string(event))]
        if let service { fields.append(("service", .string(service))) }
        if let pid { fields.append(("pid", .int(Int(pid)))) }
        if let signal { fields.append(("signal", .string(signal.name))) }
        if let outcome { fields.append(("outcome", .string(outcome))) }
        if let detail { fields.append(("detail", .string(detail))) }
        try? FileSystem.append(path, Array((JSONText.object(fields).rendered() + "\n").utf8))
    }

    static func timestamp(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
