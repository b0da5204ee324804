import DevctlProcesses
import DevctlSystem
#if canImport(Glibc)
import Glibc
#endif

/// What a service's keeper last wrote about it in `.pids/keepers/NAME.state`: who the keeper is,
/// the leader of the current run, the state the supervision is in, how the last run ended and how
/// many restarts this start has made. Only the keeper writes it (atomically, by rename); `status`,
/// `start`, `stop` and `up` read it. Plain `key value` lines, so a person can read it too.
public struct SupervisionRecord: Sendable, Equatable {
    /// Where the supervision stands; `running` also covers a service whose leader daemonized.
    public enum State: String, Sendable, Equatable {
        /// A run is under way (its leader, or what the leader left, is alive).
        case running
        /// The last run ended and a restart is due at `restartAt`.
        case restarting
        /// Restarts ran out (`maxRestarts` quick restarts in a row).
        case failed
        /// A oneshot exited 0.
        case done
        /// The last run ended and the policy restarts nothing.
        case dead
    }

    /// How a run ended, and when (milliseconds since the epoch).
    public struct Exit: Sendable, Equatable, CustomStringConvertible {
        public var cause: ExitStatus
        public var at: Int64

        public init(_ cause: ExitStatus, at: Int64) {
            self.cause = cause
            self.at = at
        }

        /// "exit 3" or "SIGKILL", as `status` shows it.
        public var summary: String {
            switch cause {
            case .exited(let code): "exit \(code)"
            case .signalled(let signal): signal.name
            }
        }

        /// "exited with status 3", "killed by SIGKILL": as `start`, `stop` and `up` word an exit.
        public var description: String { cause.description }

        /// Whether the run succeeded: exit 0.
        public var succeeded: Bool { cause == .exited(0) }
    }

    public var keeper: ProcessIdentity
    /// The leader of the current (or last) run; nil before the first spawn.
    public var leader: ProcessIdentity?
    public var state: State
    /// Restarts since the last `start`.
    public var restarts: Int
    public var lastExit: Exit?
    /// When a `restarting` service runs again, in milliseconds since the epoch.
    public var restartAt: Int64?
    /// The leader exited 0 and left processes running: the service lives on in them.
    public var daemonized: Bool

    public init(keeper: ProcessIdentity, leader: ProcessIdentity? = nil, state: State = .running, restarts: Int = 0,
                lastExit: Exit? = nil, restartAt: Int64? = nil, daemonized: Bool = false) {
        self.keeper = keeper
        self.leader = leader
        self.state = state
        self.restarts = restarts
        self.lastExit = lastExit
        self.restartAt = restartAt
        self.daemonized = daemonized
    }

    /// The file's text.
    public var rendered: String {
        var lines = ["keeper \(keeper.pid) \(keeper.startTime)", "state \(state.rawValue)", "restarts \(restarts)"]
        if let leader { lines.append("leader \(leader.pid) \(leader.startTime)") }
        if let lastExit {
            switch lastExit.cause {
            case .exited(let code): lines.append("exit code \(code) \(lastExit.at)")
            case .signalled(let signal): lines.append("exit signal \(signal.rawValue) \(lastExit.at)")
            }
        }
        if let restartAt { lines.append("restartAt \(restartAt)") }
        if daemonized { lines.append("daemonized 1") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads a record's text; nil when it lacks the keeper or the state or holds a line it cannot
    /// read (a torn or tampered file proves nothing).
    public static func parse(_ text: String) -> SupervisionRecord? {
        var keeper: ProcessIdentity?
        var record = SupervisionRecord(keeper: ProcessIdentity(pid: 0, startTime: 0))
        var state: State?
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ").map(String.init)
            guard let key = words.first else { continue }
            let numbers = words.dropFirst().map { Int64($0) }
            func identity() -> ProcessIdentity? {
                guard numbers.count == 2, let pid = numbers[0], let start = numbers[1], pid > 0, pid <= Int64(Int32.max),
                      start >= 0 else { return nil }
                return ProcessIdentity(pid: Int32(pid), startTime: UInt64(start))
            }
            switch key {
            case "keeper": guard let value = identity() else { return nil }; keeper = value
            case "leader": guard let value = identity() else { return nil }; record.leader = value
            case "state": guard words.count == 2, let value = State(rawValue: words[1]) else { return nil }; state = value
            case "restarts": guard numbers.count == 1, let value = numbers[0], value >= 0 else { return nil }; record.restarts = Int(value)
            case "restartAt": guard numbers.count == 1, let value = numbers[0] else { return nil }; record.restartAt = value
            case "daemonized": record.daemonized = words.count == 2 && words[1] == "1"
            case "exit":
                guard words.count == 4, let value = Int32(words[2]), let at = Int64(words[3]) else { return nil }
                switch words[1] {
                case "code": record.lastExit = Exit(.exited(value), at: at)
                case "signal": record.lastExit = Exit(.signalled(Signal(value)), at: at)
                default: return nil
                }
            default: continue
            }
        }
        guard let keeper, let state else { return nil }
        record.keeper = keeper
        record.state = state
        return record
    }
}

extension TrackingStore {
    /// `.pids/keepers/`: each keeper's record, lock and the specification it runs.
    public var keepersDirectory: String { directory + "/keepers" }

    public func supervisionFile(for service: String) -> String { "\(keepersDirectory)/\(service).state" }
    public func keeperLockFile(for service: String) -> String { "\(keepersDirectory)/\(service).lock" }
    public func keeperSpecFile(for service: String) -> String { "\(keepersDirectory)/\(service).spec" }

    /// The record of `service`'s keeper, nil when there is none or it cannot be read (never
    /// through a link, never from a FIFO).
    public func supervision(of service: String) -> SupervisionRecord? {
        guard let bytes = try? FileSystem.readRegularFile(supervisionFile(for: service), limit: 1 << 16) else { return nil }
        return SupervisionRecord.parse(String(decoding: bytes, as: UTF8.self))
    }

    /// Replaces the record atomically (its keeper is its only writer), swapping it with a spare
    /// kept beside it rather than renaming a new file over it: see `FileSystem.writeBySwapping`.
    public func writeSupervision(_ record: SupervisionRecord, of service: String) throws(SystemCallError) {
        let path = supervisionFile(for: service)
        try FileSystem.writeBySwapping(path, Array(record.rendered.utf8), spare: path + ".spare")
    }

    /// Forgets a stopped service's keeper: its record, lock and specification.
    public func removeKeeperFiles(of service: String) {
        for file in [supervisionFile(for: service), supervisionFile(for: service) + ".spare", keeperLockFile(for: service),
                     keeperSpecFile(for: service)] { unlink(file) }
    }
}
