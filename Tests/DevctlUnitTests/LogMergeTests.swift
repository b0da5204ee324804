import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation
import Testing

/// How `logs` splits a log into runs at its header lines and interleaves several services' runs.
@Suite struct LogMergeTests {
    static func header(_ time: String, _ service: String) -> String {
        "==> devctl \(time) start \(service): run-it"
    }

    static func date(_ time: String) -> Int64? {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(time)).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
    }

    @Test func headerLineGivesItsTimeAndOutputLinesGiveNone() {
        #expect(LogMerge.headerTime(Self.header("2024-05-01T10:00:00.250Z", "api")) == Self.date("2024-05-01T10:00:00.250Z"))
        #expect(LogMerge.headerTime("==> devctl 2024-05-01T10:00:00Z start api: x") == Self.date("2024-05-01T10:00:00Z"))
        #expect(LogMerge.headerTime("listening on :8000") == nil)
        #expect(LogMerge.headerTime("==> devctl is great") == nil, "a service printing the prefix is output")
    }

    @Test func linesBetweenTwoHeadersBelongToTheFirstRun() {
        let lines = ["left over", Self.header("2024-05-01T10:00:00Z", "api"), "a1", "a2",
                     Self.header("2024-05-01T11:00:00Z", "api"), "b1"]
        let runs = LogMerge.runs(of: lines, service: "api")
        #expect(runs.map(\.lines) == [["left over"], ["a1", "a2"], ["b1"]])
        #expect(runs.map(\.started) == [nil, Self.date("2024-05-01T10:00:00Z"), Self.date("2024-05-01T11:00:00Z")])
    }

    @Test func suffixCountsOutputLinesOnlyAndDropsEmptiedRuns() {
        let lines = [Self.header("2024-05-01T10:00:00Z", "api"), "a1", "a2", "a3",
                     Self.header("2024-05-01T11:00:00Z", "api"), "b1", "b2",
                     Self.header("2024-05-01T12:00:00Z", "api")]
        let runs = LogMerge.suffix(LogMerge.runs(of: lines, service: "api"), count: 3)
        #expect(runs.map(\.lines) == [["a3"], ["b1", "b2"]])
        #expect(LogMerge.suffix(runs, count: 0).isEmpty)
    }

    @Test func runsOfDifferentServicesGoInStartTimeOrder() {
        let api = LogMerge.runs(of: [Self.header("2024-05-01T10:00:00Z", "api"), "api first",
                                     Self.header("2024-05-01T10:00:03Z", "api"), "api third"], service: "api")
        let worker = LogMerge.runs(of: [Self.header("2024-05-01T10:00:01Z", "worker"), "worker second", "worker still second"],
                                   service: "worker")
        let merged = LogMerge.merge([api, worker])
        #expect(merged.map(\.text) == ["api first", "worker second", "worker still second", "api third"])
        #expect(merged.map(\.service) == ["api", "worker", "worker", "api"])
    }

    @Test func linesWithoutAHeaderComeFirstAndTiesKeepTheServiceOrder() {
        let api = LogMerge.runs(of: [Self.header("2024-05-01T10:00:00Z", "api"), "api"], service: "api")
        let worker = LogMerge.runs(of: [Self.header("2024-05-01T10:00:00Z", "worker"), "worker"], service: "worker")
        let legacy = LogMerge.runs(of: ["written before headers"], service: "legacy")
        #expect(LogMerge.merge([api, worker, legacy]).map(\.text) == ["written before headers", "api", "worker"])
    }

    @Test func aServicesOwnRunsNeverChangeOrderEvenIfTheClockWentBack() {
        let api = LogMerge.runs(of: [Self.header("2024-05-01T10:00:05Z", "api"), "later clock",
                                     Self.header("2024-05-01T10:00:00Z", "api"), "earlier clock"], service: "api")
        #expect(LogMerge.merge([api]).map(\.text) == ["later clock", "earlier clock"])
    }
}
