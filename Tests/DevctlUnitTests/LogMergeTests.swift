import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Testing

/// How `logs` reads a log's lines — stamps taken off, run headers and devctl's notes told from
/// output, a time for every line — and interleaves several services' lines by that time.
@Suite struct LogMergeTests {
    /// `2026-12-04T19:48:38.MMMZ`: a stamp at `millisecond` of one fixed second.
    static func stamp(_ millisecond: Int) -> String {
        "2026-12-04T19:48:38." + String(1000 + millisecond).dropFirst() + "Z"
    }

    static func time(_ millisecond: Int) -> Int64 {
        LogStamp.parse(stamp(millisecond))!
    }

    static func stamped(_ millisecond: Int, _ text: String) -> String {
        stamp(millisecond) + " " + text
    }

    /// A header as devctl wrote it before keepers, unstamped, its time inside.
    static func legacyHeader(_ millisecond: Int, _ service: String) -> String {
        "==> devctl \(stamp(millisecond)) start \(service): run-it"
    }

    static func texts(_ lines: [LogLine]) -> [String] {
        lines.map { "\($0.service) | \($0.text)" }
    }

    @Test func aStampedLineLosesItsStampButKeepsItForTimestamps() {
        let entry = LogMerge.entry(Self.stamped(123, "listening on :8000"), service: "api", after: nil)
        #expect(entry == LogEntry(line: LogLine(service: "api", text: "listening on :8000", stamp: Self.stamp(123)),
                                  kind: .output, time: Self.time(123)))
        let empty = LogMerge.entry(Self.stamp(5), service: "api", after: nil)
        #expect(empty.line.text == "" && empty.line.stamp == Self.stamp(5), "an empty line is stored as its stamp alone")
        let legacy = LogMerge.entry("written before stamps", service: "api", after: Self.time(7))
        #expect(legacy == LogEntry(line: LogLine(service: "api", text: "written before stamps"), kind: .output, time: Self.time(7)))
        let almost = "2026-12-04T19:48:38.1Z not a stamp"
        #expect(LogMerge.entry(almost, service: "api", after: nil).line == LogLine(service: "api", text: almost))
    }

    @Test func runHeadersAndNotesAreToldFromOutput() {
        func kind(_ stored: String) -> LogEntry.Kind { LogMerge.entry(stored, service: "api", after: nil).kind }
        #expect(kind(Self.stamped(1, ServiceLog.runHeader(service: "api", pid: 4711, restart: 0, command: "serve"))) == .runHeader)
        #expect(kind(Self.stamped(1, ServiceLog.runHeader(service: "api", pid: 4712, restart: 2, command: "serve"))) == .runHeader)
        #expect(kind(Self.legacyHeader(1, "api")) == .runHeader)
        #expect(kind(Self.stamped(1, ServiceLog.note("exit", service: "api", "exited with status 3; restarting in 2 s"))) == .note)
        #expect(kind(Self.stamped(1, ServiceLog.note("gave-up", service: "api", "10 restarts"))) == .note)
        #expect(kind(Self.stamped(1, ServiceLog.note("keeper", service: "api", "stood down"))) == .note)
        #expect(kind(Self.stamped(1, "==> devctl is great")) == .output, "a service printing the prefix is output")
        #expect(kind("listening") == .output)
    }

    @Test func aLineWithoutAStampTakesTheTimeOfTheLineBeforeIt() {
        let entries = LogMerge.entries(of: ["before any header", Self.legacyHeader(100, "api"), "a1", "a2",
                                            Self.stamped(300, "stamped"), "unstamped again"], service: "api")
        #expect(entries.map(\.time) == [nil, Self.time(100), Self.time(100), Self.time(100), Self.time(300), Self.time(300)])
        #expect(entries.map(\.line.text) == ["before any header", Self.legacyHeader(100, "api"), "a1", "a2", "stamped", "unstamped again"])
    }

    @Test func linesOfSeveralServicesAreMergedByTheirStamps() {
        let api = LogMerge.entries(of: [Self.stamped(100, ServiceLog.runHeader(service: "api", pid: 1, restart: 0, command: "x")),
                                        Self.stamped(100, "api first"), Self.stamped(300, "api third")], service: "api")
        let worker = LogMerge.entries(of: [Self.stamped(200, "worker second")], service: "worker")
        let merged = LogMerge.merge([api.filter { $0.kind != .runHeader }, worker])
        #expect(Self.texts(merged) == ["api | api first", "worker | worker second", "api | api third"])
        #expect(merged.map(\.stamp) == [Self.stamp(100), Self.stamp(200), Self.stamp(300)])
    }

    @Test func equalTimesKeepTheServiceOrderThenTheFileOrder() {
        let api = LogMerge.entries(of: [Self.stamped(100, "a1"), Self.stamped(100, "a2")], service: "api")
        let worker = LogMerge.entries(of: [Self.stamped(100, "w1"), Self.stamped(100, "w2")], service: "worker")
        #expect(LogMerge.merge([worker, api]).map(\.text) == ["w1", "w2", "a1", "a2"])
        #expect(LogMerge.merge([api, worker]).map(\.text) == ["a1", "a2", "w1", "w2"])
    }

    @Test func linesWithoutAnyTimeComeFirst() {
        let api = LogMerge.entries(of: [Self.stamped(100, "api")], service: "api")
        let legacy = LogMerge.entries(of: ["written before headers", "and stamps"], service: "legacy")
        #expect(LogMerge.merge([api, legacy]).map(\.text) == ["written before headers", "and stamps", "api"])
    }

    @Test func aServicesOwnLinesKeepTheirOrderEvenIfTheClockWentBack() {
        let api = LogMerge.entries(of: [Self.stamped(500, "a at .500"), Self.stamped(100, "a at .100 after the clock went back"),
                                        Self.stamped(600, "a at .600")], service: "api")
        let worker = LogMerge.entries(of: [Self.stamped(300, "w at .300"), Self.stamped(550, "w at .550")], service: "worker")
        #expect(LogMerge.merge([api, worker]).map(\.text)
            == ["w at .300", "a at .500", "a at .100 after the clock went back", "w at .550", "a at .600"])
    }

    /// Logs written before stamps still merge as they did: each run by its header's time.
    @Test func legacyLogsMergeByTheirRunHeaders() {
        let api = LogMerge.entries(of: [Self.legacyHeader(0, "api"), "api first", Self.legacyHeader(300, "api"), "api third"],
                                   service: "api")
        let worker = LogMerge.entries(of: [Self.legacyHeader(100, "worker"), "worker second", "worker still second"],
                                      service: "worker")
        let shown = [api, worker].map { $0.filter { $0.kind != .runHeader } }
        #expect(Self.texts(LogMerge.merge(shown))
            == ["api | api first", "worker | worker second", "worker | worker still second", "api | api third"])
        #expect(LogMerge.merge(shown).allSatisfy { $0.stamp == nil })
    }

    /// A log begun before keepers and carried on by one: old runs by their header, new lines by
    /// their stamps, in one order.
    @Test func aLegacyLogCarriedOnWithStampsMergesAsOne() {
        let api = LogMerge.entries(of: [Self.legacyHeader(0, "api"), "old output",
                                        Self.stamped(500, ServiceLog.runHeader(service: "api", pid: 2, restart: 0, command: "x")),
                                        Self.stamped(600, "new output")], service: "api")
        let worker = LogMerge.entries(of: [Self.stamped(200, "worker")], service: "worker")
        let shown = [api, worker].map { $0.filter { $0.kind != .runHeader } }
        #expect(LogMerge.merge(shown).map(\.text) == ["old output", "worker", "new output"])
    }
}
