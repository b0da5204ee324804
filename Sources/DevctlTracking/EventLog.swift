import DevctlProcesses
import DevctlSystem
import DevctlText
#if canImport(Glibc)
import Glibc
#endif
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

    /// `2026-11-21T14:37:01.930Z`: UTC to the (rounded) millisecond, exactly as ISO8601DateFormatter
    /// writes it with internet date-time and fractional seconds. Formatted by hand: creating that
    /// formatter costs about a millisecond (ICU), and `start` records three events per service.
    static func timestamp(_ date: Date = Date()) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var seconds = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        let fraction = Int(milliseconds - Int64(seconds) * 1000)
        var utc = tm()
        gmtime_r(&seconds, &utc)
        func digits(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(digits(Int(utc.tm_year) + 1900, 4))-\(digits(Int(utc.tm_mon) + 1, 2))-\(digits(Int(utc.tm_mday), 2))"
            + "T\(digits(Int(utc.tm_hour), 2)):\(digits(Int(utc.tm_min), 2)):\(digits(Int(utc.tm_sec), 2))"
            + ".\(digits(fraction, 3))Z"
    }
}
