/// The wall times of one row's timed repetitions (warm-up excluded), in seconds; for a `budget`
/// row, one size in KiB per process measured.
struct Measurement: Sendable {
    var samples: [Double]

    var median: Double {
        let sorted = samples.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    var min: Double { samples.min() ?? 0 }
    var max: Double { samples.max() ?? 0 }
}

/// One line of the result: what was measured, the figures, and the SPEC §7 target it answers to.
struct BenchRow: Sendable {
    enum Kind: Sendable {
        /// A SPEC §7 target: the median must stay under `seconds`.
        case target(seconds: Double)
        /// The cost every devctl command pays before doing anything: reported, no target.
        case floor
        /// A figure for comparison (one mechanism against another): reported, no target.
        case measure
        /// The script devctl replaces, run on the same services: reported as a ratio to `row`.
        case reference(row: String)
        /// A growth factor (the samples are ratios, not seconds) that must stay at most `limit`.
        case ratio(limit: Double)
        /// Memory per process (the samples are KiB, one per process, not seconds): the largest
        /// must stay at most `kibibytes`, since the budget holds for each process, not on average.
        case budget(kibibytes: Double)
    }

    var id: String
    var label: String
    var measurement: Measurement
    var kind: Kind
    /// What else the reader needs to judge the figure, added to its verdict line.
    var note: String?

    /// Whether the median meets the target; nil for rows without one.
    var met: Bool? {
        switch kind {
        case .target(let seconds): measurement.median < seconds
        case .ratio(let limit): measurement.median <= limit
        case .budget(let kibibytes): measurement.max <= kibibytes
        case .floor, .measure, .reference: nil
        }
    }
}

/// Measures `body` once untimed, then `runs` times.
func repeatTimed(warmUp: Bool = true, runs: Int, _ body: () throws(BenchError) -> Double) throws(BenchError) -> Measurement {
    if warmUp { _ = try body() }
    var samples = [Double]()
    for _ in 0..<runs { samples.append(try body()) }
    return Measurement(samples: samples)
}

/// Seconds elapsed while running `body`, on the monotonic clock.
func timed(_ body: () throws(BenchError) -> Void) throws(BenchError) -> Double {
    let clock = ContinuousClock()
    let began = clock.now
    try body()
    return (clock.now - began).seconds
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
