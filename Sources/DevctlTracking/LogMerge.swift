/// One line of a service's log as `logs` and `up` print it: the text the service wrote, without
/// the arrival stamp it was stored with.
public struct LogLine: Sendable, Equatable {
    public var service: String
    public var text: String
    /// The stamp as stored (`2026-12-04T19:48:38.123Z`), which `logs -t` shows; nil for a line
    /// written before devctl stamped its lines.
    public var stamp: String?

    public init(service: String, text: String, stamp: String? = nil) {
        self.service = service
        self.text = text
        self.stamp = stamp
    }
}

/// A line read back from a log: the line, what wrote it, and the time it sorts by among the
/// lines of other services.
public struct LogEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// What the service wrote.
        case output
        /// The line that begins a run (`==> devctl start …`, `==> devctl restart …`, or one written
        /// before keepers): never shown, it only carries the run's start time.
        case runHeader
        /// devctl's own note of an exit, of giving up, of the keeper (`==> devctl exit …`): `logs`
        /// shows it, as it explains a restart; `up` announces exits itself and leaves it out.
        case note
    }

    public var line: LogLine
    public var kind: Kind
    /// Milliseconds since the epoch: the line's own stamp, else (a line written before stamps) the
    /// time of the line before it in its file, a header's time included; nil when no line before
    /// it had one.
    public var time: Int64?

    public init(line: LogLine, kind: Kind, time: Int64?) {
        self.line = line
        self.kind = kind
        self.time = time
    }
}

/// Reads a log's stored lines (`STAMP TEXT`, or unstamped as devctl wrote them before keepers) and
/// interleaves several services' lines by the time each arrived. Pure functions, so the ordering
/// rules are unit-tested.
public enum LogMerge {
    /// One stored line: its stamp taken off and kept, what kind of line it is, and its time —
    /// its own, else `previous`, the time of the line before it in its file.
    public static func entry(_ stored: String, service: String, after previous: Int64?) -> LogEntry {
        let stamped = LogStamp.split(stored[...])
        let text = stamped.map { String($0.text) } ?? stored
        let kind: LogEntry.Kind = ServiceLog.isRunHeader(text) ? .runHeader : ServiceLog.isDevctlLine(text) ? .note : .output
        let stamp = stamped.map { _ in String(stored.prefix(LogStamp.width)) }
        let time = stamped?.milliseconds ?? (kind == .runHeader ? ServiceLog.legacyHeaderTime(text) : nil) ?? previous
        return LogEntry(line: LogLine(service: service, text: text, stamp: stamp), kind: kind, time: time)
    }

    /// A log's lines in file order, each with its time (see `LogEntry.time`).
    public static func entries(of lines: [String], service: String) -> [LogEntry] {
        var previous: Int64?
        return lines.map { stored in
            let entry = entry(stored, service: service, after: previous)
            previous = entry.time
            return entry
        }
    }

    /// Merges the services' entries (one array per service, each in file order) into one
    /// sequence by time. A service's own lines never change order, even where its clock went back:
    /// a line sorts by the latest time its file had reached by then. Lines without a time come
    /// before all others, and equal times keep the order the services were given, then file order.
    public static func merge(_ services: [[LogEntry]]) -> [LogLine] {
        var keyed = [(time: Int64, service: Int, place: Int, line: LogLine)]()
        keyed.reserveCapacity(services.reduce(0) { $0 + $1.count })
        for (service, entries) in services.enumerated() {
            var latest = Int64.min
            for (place, entry) in entries.enumerated() {
                if let time = entry.time { latest = max(latest, time) }
                keyed.append((latest, service, place, entry.line))
            }
        }
        keyed.sort { ($0.time, $0.service, $0.place) < ($1.time, $1.service, $1.place) }
        return keyed.map(\.line)
    }
}
