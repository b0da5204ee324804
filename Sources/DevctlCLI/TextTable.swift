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

    public func rendered(headerStyle: (String) -> String = { $0 }) -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], Self.width(cell)) } }
        return all.enumerated().map { index, row in
            let line = row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - Self.width(cell))
            }.joined(separator: "  ")
            return index == 0 ? headerStyle(line) : line
        }.joined(separator: "\n")
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
