#if canImport(Glibc)
import Glibc
#endif

/// The arrival time that begins every line of a service's log: RFC 3339 in UTC to the millisecond
/// and one space (`2026-12-04T19:48:38.123Z `). Written by the keeper, which loads no Foundation,
/// and read by `logs` and `up`; both sides use this one Glibc-only definition of the format.
public enum LogStamp {
    /// Characters of a stamp, without the space after it.
    public static let width = 24

    /// Milliseconds since the epoch, from the real-time clock.
    public static func nowMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    /// `2026-12-04T19:48:38.123Z` for `milliseconds` since the epoch.
    public static func format(milliseconds: Int64) -> String {
        String(decoding: bytes(milliseconds: milliseconds), as: UTF8.self)
    }

    /// The stamp's bytes, without building a String: the keeper writes one per line.
    public static func bytes(milliseconds: Int64) -> [UInt8] {
        var seconds = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        let fraction = Int(milliseconds - Int64(seconds) * 1000)
        var utc = tm()
        gmtime_r(&seconds, &utc)
        var out = [UInt8]()
        out.reserveCapacity(width)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8((rest / divisor) % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(Int(utc.tm_year) + 1900, 4); out.append(UInt8(ascii: "-"))
        digits(Int(utc.tm_mon) + 1, 2); out.append(UInt8(ascii: "-"))
        digits(Int(utc.tm_mday), 2); out.append(UInt8(ascii: "T"))
        digits(Int(utc.tm_hour), 2); out.append(UInt8(ascii: ":"))
        digits(Int(utc.tm_min), 2); out.append(UInt8(ascii: ":"))
        digits(Int(utc.tm_sec), 2); out.append(UInt8(ascii: "."))
        digits(fraction, 3); out.append(UInt8(ascii: "Z"))
        return out
    }

    /// Milliseconds since the epoch of a stamp in exactly this format, or nil for anything else.
    public static func parse(_ text: some StringProtocol) -> Int64? {
        let chars = Array(text.utf8)
        guard chars.count == width else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let char = chars[index]
                guard char >= UInt8(ascii: "0"), char <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(char - UInt8(ascii: "0"))
            }
            return value
        }
        let separators: [(Int, Character)] = [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "."), (23, "Z")]
        guard separators.allSatisfy({ chars[$0.0] == $0.1.asciiValue }),
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              let millis = number(20..<23), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
              second < 61 else { return nil }
        var utc = tm()
        utc.tm_year = Int32(year - 1900)
        utc.tm_mon = Int32(month - 1)
        utc.tm_mday = Int32(day)
        utc.tm_hour = Int32(hour)
        utc.tm_min = Int32(minute)
        utc.tm_sec = Int32(second)
        return Int64(timegm(&utc)) * 1000 + Int64(millis)
    }

    /// The stamp and the rest of a stored line (`STAMP TEXT`), or nil when the line carries none
    /// (a log written before devctl stamped its lines).
    public static func split(_ line: Substring) -> (milliseconds: Int64, text: Substring)? {
        let utf8 = line.utf8
        guard utf8.count > width, let stampEnd = utf8.index(utf8.startIndex, offsetBy: width, limitedBy: utf8.endIndex),
              utf8[stampEnd] == UInt8(ascii: " "), let milliseconds = parse(line[..<stampEnd]) else {
            if utf8.count == width, let milliseconds = parse(line) { return (milliseconds, line[line.endIndex...]) }
            return nil
        }
        return (milliseconds, line[utf8.index(after: stampEnd)...])
    }
}
