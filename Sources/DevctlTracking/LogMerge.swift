import DevctlProcesses
import DevctlSystem
import DevctlText

/// One output line of a service, as `logs` and `up` print it.
public struct LogLine: Sendable, Equatable {
    public var service: String
    public var text: String

    public init(service: String, text: String) {
        self.service = service
        self.text = text
    }
}

/// The lines one run of a service wrote: everything between its header and the next.
public struct LogRun: Sendable, Equatable {
    public var service: String
    /// The time in the run's header, in milliseconds since the epoch; nil for lines whose header
    /// was not read (or never written).
    public var started: Int64?
    public var lines: [String]

    public init(service: String, started: Int64?, lines: [String]) {
        self.service = service
        self.started = started
        self.lines = lines
    }
}

/// Interleaves several services' logs as far as their header lines allow: a log records when each
/// run started, not when each line was written, so runs are ordered by their start time and the
/// lines inside a run keep their order. Pure functions, so the ordering rules are unit-tested.
public enum LogMerge {
    /// The start time of a header line (`==> devctl <ISO 8601 time> start NAME: COMMAND`), in
    /// milliseconds since the epoch, or nil when `line` is output. A line that merely begins like a
    /// header but has no valid time is output.
    public static func headerTime(_ line: some StringProtocol) -> Int64? {
        ServiceLog.legacyHeaderTime(line)
    }

    /// Splits a log's lines into runs at each header. Lines before the first header form a run
    /// without a time (the start of the window read, or a log written before devctl kept headers).
    public static func runs(of lines: [String], service: String) -> [LogRun] {
        var runs = [LogRun]()
        var current = LogRun(service: service, started: nil, lines: [])
        for line in lines {
            if let started = headerTime(line) {
                if current.started != nil || !current.lines.isEmpty { runs.append(current) }
                current = LogRun(service: service, started: started, lines: [])
            } else {
                current.lines.append(line)
            }
        }
        if current.started != nil || !current.lines.isEmpty { runs.append(current) }
        return runs
    }

    /// The runs holding the last `count` output lines (headers do not count), the first of them
    /// cut to fit; runs left without lines are dropped.
    public static func suffix(_ runs: [LogRun], count: Int) -> [LogRun] {
        var remaining = count
        var kept = [LogRun]()
        for run in runs.reversed() where remaining > 0 && !run.lines.isEmpty {
            var run = run
            run.lines = Array(run.lines.suffix(remaining))
            remaining -= run.lines.count
            kept.append(run)
        }
        return kept.reversed()
    }

    /// Merges the services' runs (one array per service, each in file order) into one sequence:
    /// the run that started earliest goes first, a run without a time before any timed run of
    /// other services, ties in the order the services were given. A service's own runs never
    /// change order, even if the clock went backwards between them.
    public static func merge(_ services: [[LogRun]]) -> [LogLine] {
        var next = Array(repeating: 0, count: services.count)
        var merged = [LogLine]()
        while true {
            var best: Int?
            for index in services.indices where next[index] < services[index].count {
                guard let current = best else {
                    best = index
                    continue
                }
                if isEarlier(services[index][next[index]].started, than: services[current][next[current]].started) {
                    best = index
                }
            }
            guard let index = best else { return merged }
            let run = services[index][next[index]]
            merged += run.lines.map { LogLine(service: run.service, text: $0) }
            next[index] += 1
        }
    }

    private static func isEarlier(_ lhs: Int64?, than rhs: Int64?) -> Bool {
        switch (lhs, rhs) {
        case (nil, nil), (_?, nil): false
        case (nil, _?): true
        case (let lhs?, let rhs?): lhs < rhs
        }
    }
}
