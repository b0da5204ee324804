import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation

/// Renders rows as left-aligned columns separated by two spaces, sized by display width so the
/// table stays aligned with symbols like ✓ (escape sequences are not counted).
public struct TextTable: Sendable {
    public var header: [String]
    public var rows: [[String]] = []

    public init(header: [String]) { self.header = header }

    public mutating func append(_ row: [String]) { rows.append(row) }

    /// The table; with a `width`, the `shrinking` columns (in that order, the most expendable
    /// first) are cut short with "…" until the lines fit, none below its header or
    /// `minimumWidth` characters.
    public func rendered(headerStyle: (String) -> String = { $0 }, fitting width: Int? = nil,
                         shrinking: [Int] = []) -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], Self.width(cell)) } }
        if let width {
            var excess = widths.reduce(2 * (widths.count - 1), +) - width
            for column in shrinking where excess > 0 && column < widths.count {
                let floor = max(Self.width(header[column]), Self.minimumWidth)
                let cut = min(excess, max(0, widths[column] - floor))
                widths[column] -= cut
                excess -= cut
            }
        }
        return all.enumerated().map { index, row in
            let line = row.enumerated().map { i, cell in
                let shown = i < widths.count ? Self.truncated(cell, to: widths[i]) : cell
                return i == row.count - 1 ? shown : shown + String(repeating: " ", count: max(0, widths[i] - Self.width(shown)))
            }.joined(separator: "  ")
            return index == 0 ? headerStyle(line) : line
        }.joined(separator: "\n")
    }

    /// The narrowest a shrinking column gets: enough to tell its cells apart.
    static let minimumWidth = 12

    /// `text` cut to `width` characters shown, the last of them "…"; its escape sequences are
    /// kept, and a style cut off before its reset is reset.
    static func truncated(_ text: String, to width: Int) -> String {
        guard Self.width(text) > width else { return text }
        var result = String.UnicodeScalarView(), count = 0, inEscape = false, styled = false
        for scalar in text.unicodeScalars {
            if inEscape || scalar == "\u{1B}" {
                result.append(scalar)
                inEscape = scalar != "m"
                styled = true
                continue
            }
            if count >= width - 1 { break }
            result.append(scalar)
            count += 1
        }
        while result.last == " " { result.removeLast() }
        return String(result) + "…" + (styled ? "\u{1B}[0m" : "")
    }

    /// Characters shown, ignoring ANSI escape sequences.
    static func width(_ text: String) -> Int {
        var count = 0, inEscape = false
        for scalar in text.unicodeScalars {
            if inEscape { if scalar == "m" { inEscape = false }; continue }
            if scalar == "\u{1B}" { inEscape = true; continue }
            count += 1
        }
        return count
    }
}

/// Human formatting for durations and sizes in tables and accounts.
public enum Format {
    public static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return "\(Int(seconds))s" }
        if seconds < 3600 { return "\(Int(seconds) / 60)m\(Int(seconds) % 60)s" }
        if seconds < 86_400 { return "\(Int(seconds) / 3600)h\(Int(seconds) % 3600 / 60)m" }
        return "\(Int(seconds) / 86_400)d\(Int(seconds) % 86_400 / 3600)h"
    }

    /// A span in words for a state ("12 s", "3 min", "2 h", "4 d"): how long ago, or how soon.
    public static func span(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.up))
        if whole < 60 { return "\(whole) s" }
        if whole < 3600 { return "\(whole / 60) min" }
        if whole < 86_400 { return "\(whole / 3600) h" }
        return "\(whole / 86_400) d"
    }

    public static func bytes(_ value: Int64) -> String {
        let units = ["B", "K", "M", "G", "T"]
        var size = Double(value), unit = 0
        while size >= 1024 && unit < units.count - 1 { size /= 1024; unit += 1 }
        return unit == 0 ? "\(value)B" : String(format: size < 10 ? "%.1f%@" : "%.0f%@", size, units[unit])
    }

    public static func milliseconds(_ ms: Int) -> String {
        ms < 1000 ? "\(ms) ms" : String(format: "%.1f s", Double(ms) / 1000)
    }
}
