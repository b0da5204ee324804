import Foundation

/// A line of a service's log as SPEC §1 stores it, `2026-12-04T19:48:38.123Z TEXT`, read by the
/// test's own regular expression and calendar, never by devctl's `LogStamp`.
struct StampedLine: Equatable {
    /// The stamp as stored, without the space after it.
    let stamp: String
    /// The stamp read as a UTC time.
    let date: Date
    let text: String

    /// nil when the line does not begin with a well-formed UTC stamp and one space.
    init?(_ line: some StringProtocol) {
        let line = String(line)
        guard let match = line.wholeMatch(of: #/(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z (.*)/#) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = [match.1, match.2, match.3, match.4, match.5, match.6, match.7].map { Int($0)! }
        let components = DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4],
                                        second: parts[5], nanosecond: parts[6] * 1_000_000)
        guard let date = calendar.date(from: components) else { return nil }
        stamp = String(line.prefix(24))
        self.date = date
        text = String(match.8)
    }

    /// The lines of a file, split at newlines (the last newline ends the last line), or nil when
    /// it cannot be read.
    static func rawLines(ofFile path: String) -> [String]? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}
