#if canImport(Glibc)
import Glibc
#endif
import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation

/// The machine a run was measured on: the figures mean little without it.
struct Machine: Sendable {
    var processors: Int
    var cpuModel: String
    var kernel: String
    /// The 1-minute load average when the run began: other work skews wall times.
    var loadAverage: String

    static func current() -> Machine {
        let cpuinfo = FileSystem.readText("/proc/cpuinfo") ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        var names = utsname()
        uname(&names)
        let release = withUnsafeBytes(of: names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let load = FileSystem.readText("/proc/loadavg")?.split(separator: " ").first.map(String.init) ?? "?"
        return Machine(processors: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), cpuModel: model,
                       kernel: "Linux \(release)", loadAverage: load)
    }

    var summary: String { "\(processors) × \(cpuModel), \(kernel), load average \(loadAverage) at start" }
}

/// Renders the rows as the table people read and the JSON document scripts read.
struct BenchReport {
    var rows: [BenchRow]
    var machine: Machine
    var options: BenchOptions
    var devctl: String
    var seconds: Double

    var targetRows: [BenchRow] { rows.filter { $0.met != nil } }
    var allMet: Bool { targetRows.allSatisfy { $0.met == true } }

    /// How many times slower the reference row is than the devctl row it replaces.
    func ratio(_ row: BenchRow) -> Double? {
        guard case .reference(let other) = row.kind,
              let base = rows.first(where: { $0.id == other }), base.measurement.median > 0 else { return nil }
        return row.measurement.median / base.measurement.median
    }

    func table() -> String {
        var table = TextTable(header: ["ROW", "MEDIAN", "MIN–MAX", "TARGET", "VERDICT"])
        for row in rows {
            let m = row.measurement, format = figure(row)
            table.append([row.label, format(m.median), "\(format(m.min))–\(format(m.max))", target(row), verdictWord(row)])
        }
        var lines = [
            "devctl-bench: \(devctl)",
            "machine: \(machine.summary)",
            "\(options.services) services, \(options.idle) idle processes, \(options.runs) timed runs per row after one warm-up, wall time per command",
            "",
            table.rendered(),
            "",
        ]
        lines += rows.map(verdictLine)
        let missed = targetRows.filter { $0.met == false }.count
        lines.append("")
        lines.append(missed == 0 ? "all \(targetRows.count) targets met (benchmark took \(Format.seconds(seconds)))"
                                 : "\(missed) of \(targetRows.count) targets missed (benchmark took \(Format.seconds(seconds)))")
        return lines.joined(separator: "\n")
    }

    /// Seconds, a factor for a ratio row, KiB for a budget row.
    private func figure(_ row: BenchRow) -> (Double) -> String {
        switch row.kind {
        case .ratio: Format.ratio
        case .budget: Format.kibibytes
        case .target, .floor, .measure, .reference: Format.seconds
        }
    }

    private func target(_ row: BenchRow) -> String {
        switch row.kind {
        case .target(let seconds): "< \(Format.seconds(seconds))"
        case .ratio(let limit): "≤ \(Format.ratio(limit))"
        case .budget(let kibibytes): "≤ \(Format.kibibytes(kibibytes))"
        case .floor: "(floor)"
        case .measure: "(info)"
        case .reference: "(legacy)"
        }
    }

    private func verdictWord(_ row: BenchRow) -> String {
        switch row.kind {
        case .target, .ratio, .budget: row.met == true ? "ok" : "MISSED"
        case .floor, .measure: "-"
        case .reference: ratio(row).map { String(format: "%.0f× slower", $0) } ?? "-"
        }
    }

    private func verdictLine(_ row: BenchRow) -> String {
        verdict(row) + (row.note.map { "; \($0)" } ?? "")
    }

    private func verdict(_ row: BenchRow) -> String {
        let m = row.measurement, format = figure(row)
        let figures = "median \(format(m.median)) (\(format(m.min))–\(format(m.max)), \(m.samples.count) samples)"
        switch row.kind {
        case .target(let seconds):
            let word = row.met == true ? "PASS" : "MISS"
            let comparison = row.met == true ? "under" : "over"
            return "\(word)  \(row.label): \(figures), \(comparison) the target of \(Format.seconds(seconds))"
        case .ratio(let limit):
            let word = row.met == true ? "PASS" : "MISS"
            return "\(word)  \(row.label): \(Format.ratio(m.median)), \(row.met == true ? "within" : "over") the limit of \(Format.ratio(limit))"
        case .budget(let kibibytes):
            let word = row.met == true ? "PASS" : "MISS"
            let figures = m.samples.count == 1 ? "\(format(m.max)) (1 process)"
                : "largest \(format(m.max)), median \(format(m.median)) (smallest \(format(m.min)), \(m.samples.count) processes)"
            return "\(word)  \(row.label): \(figures), \(row.met == true ? "within" : "over") the budget of \(format(kibibytes)) each"
        case .floor:
            return "INFO  \(row.label): \(figures); no target, the cost every command pays"
        case .measure:
            return "INFO  \(row.label): \(figures)"
        case .reference(let other):
            let times = ratio(row).map { String(format: "%.1f×", $0) } ?? "?"
            return "INFO  \(row.label): \(figures); \(times) the time of devctl's '\(other)' row"
        }
    }

    func json() -> JSONText {
        .object([
            ("machine", .object([
                ("processors", .int(machine.processors)), ("cpu", .string(machine.cpuModel)),
                ("kernel", .string(machine.kernel)), ("loadAverage", .string(machine.loadAverage)),
            ])),
            ("options", .object([
                ("services", .int(options.services)), ("idle", .int(options.idle)), ("runs", .int(options.runs)),
            ])),
            ("devctl", .string(devctl)),
            ("rows", .array(rows.map { row in
                let m = row.measurement
                var fields: [(String, JSONText)] = [("id", .string(row.id)), ("label", .string(row.label))]
                if case .budget = row.kind {
                    fields += [("medianKiB", .double(m.median)), ("minKiB", .double(m.min)), ("maxKiB", .double(m.max)),
                               ("samplesKiB", .array(m.samples.map { .double($0) }))]
                } else {
                    fields += [("medianMs", .double(m.median * 1000)), ("minMs", .double(m.min * 1000)), ("maxMs", .double(m.max * 1000)),
                               ("samplesMs", .array(m.samples.map { .double($0 * 1000) }))]
                }
                switch row.kind {
                case .target(let seconds):
                    fields += [("targetMs", .double(seconds * 1000)), ("met", .bool(row.met == true))]
                case .ratio(let limit):
                    fields += [("targetMs", .null), ("met", .bool(row.met == true)), ("ratio", .double(m.median)),
                               ("limit", .double(limit))]
                case .budget(let kibibytes):
                    fields += [("targetMs", .null), ("met", .bool(row.met == true)), ("limitKiB", .double(kibibytes))]
                case .floor, .measure:
                    fields += [("targetMs", .null), ("met", .null)]
                case .reference(let other):
                    fields += [("targetMs", .null), ("met", .null), ("comparedTo", .string(other)),
                               ("ratio", .optional(ratio(row)) { .double($0) })]
                }
                if let note = row.note { fields.append(("note", .string(note))) }
                return .object(fields)
            })),
            ("allMet", .bool(allMet)),
            ("seconds", .double(seconds)),
        ])
    }
}

extension Format {
    /// "12.3 ms" under a second, "1.07 s" above; whole numbers (targets) without decimals.
    static func seconds(_ value: Double) -> String {
        let ms = value * 1000
        if value >= 1 { return String(format: value == value.rounded() ? "%.0f s" : "%.2f s", value) }
        return String(format: ms == ms.rounded() ? "%.0f ms" : "%.1f ms", ms)
    }

    /// "9.8×": a growth factor.
    static func ratio(_ value: Double) -> String { String(format: "%.1f×", value) }

    /// "612 KiB": smaps_rollup counts whole kB, so a median between two is the only fraction.
    static func kibibytes(_ value: Double) -> String {
        String(format: value == value.rounded() ? "%.0f KiB" : "%.1f KiB", value)
    }
}
