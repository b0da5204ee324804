/// What the benchmark was asked to measure: the size of the projects, the size of the process
/// table for the `/proc` scan, and how many timed repetitions follow the warm-up.
struct BenchOptions: Sendable {
    var services = 50
    var idle = 2000
    var runs = 5
    var json = false

    /// Services that ignore SIGTERM in the stop-timeout row (SPEC §7: the stop lasts their
    /// stopTimeout + 0.15 s at most).
    var ignoring: Int { min(5, services) }
    /// The stopTimeout of the project whose services ignore SIGTERM.
    let stopTimeout = 1.0
    /// The project sizes of the scale rows, and how many times slower the large one may be
    /// (ten times the services: about linear, with room for the machine's noise).
    let smallScale = 200
    let largeScale = 2000
    let growthLimit = 12.0

    enum Parsed {
        case run(BenchOptions)
        case help
    }

    static let usage = """
        OVERVIEW: Measure the release devctl binary against the targets of SPEC §7.

        USAGE: swift run -c release devctl-bench [--services N] [--idle M] [--runs R] [--json]

        OPTIONS:
          --services N    services in each benchmark project (default: 50)
          --idle M        idle processes added for the /proc scan (default: 2000)
          --runs R        timed repetitions of each row, after one warm-up (default: 5)
          --json          print one JSON document instead of the table
          -h, --help      show this help
          --listen PORT [--delay S] [--exit-delay S]
                          (used by the benchmark's own services) listen on 127.0.0.1:PORT from
                          S seconds after start until a stop signal, then exit S seconds later

        Exit status: 0 when every row meets its target, 1 when one misses or the benchmark
        could not run, 2 on bad usage.
        """

    static func parse(_ arguments: [String]) throws(BenchError) -> Parsed {
        var options = BenchOptions()
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "-h", "--help":
                return .help
            case "--json":
                options.json = true
            case "--services", "--idle", "--runs":
                guard let text = rest.popFirst() else { throw BenchError("option '\(argument)' needs a number") }
                guard let value = Int(text), value >= 1 else {
                    throw BenchError("option '\(argument)' expects a whole number of at least 1, got '\(text)'")
                }
                switch argument {
                case "--services": options.services = value
                case "--idle": options.idle = value
                default: options.runs = value
                }
            default:
                throw BenchError("unknown option '\(argument)'; see 'devctl-bench --help'")
            }
        }
        return .run(options)
    }
}

/// Why the benchmark could not run; printed as `error: …`.
struct BenchError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
