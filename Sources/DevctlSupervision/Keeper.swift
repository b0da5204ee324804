import DevctlProcesses
import DevctlSystem
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif

/// A service's keeper (SPEC §5): the parent and subreaper of its service, it spawns each run,
/// stamps and rotates its output, records each exit and restart in `.pids/keepers/NAME.state`,
/// restarts by `RestartDecision`, and leaves once its service is over for good. One thread, one
/// `poll` over its service's output and a signalfd; it takes the project lock only to bring the
/// tracking files up to a restart, and never waits for it.
public struct Keeper {
    let spec: KeeperSpec
    let store: TrackingStore
    /// The audit trail: each exit, restart and surrender is there beside what devctl did.
    let events: EventLog
    var log: StampedLogWriter
    let signals: SignalDescriptor
    let output: PipeDescriptors
    var record: SupervisionRecord
    var history: RestartDecision.History

    /// The run under way: its leader, when it began, and how its processes have ended so far.
    struct Run {
        var leader: ProcessIdentity
        var began: ContinuousClock.Instant
        var leaderExit: ExitStatus?
        /// The exit of the last of its processes reaped (the daemon's, once the leader daemonized).
        var lastExit: ExitStatus?
        /// The leader's exit was recorded while processes of it lived on.
        var leaderExitRecorded = false
    }

    var run: Run?
    var standingDown = false
    var restartDue: ContinuousClock.Instant?
    var finished = false
    /// A leader the tracking files do not name yet: the lock was held when the restart happened.
    var trackingBehind: ProcessIdentity?
    /// When output without its newline arrived, to write it out if the line never ends.
    var pendingSince: ContinuousClock.Instant?
    /// Where output is read into; allocated once, for the keeper's whole life.
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 1)

    /// Waits this long for the rest of a line before writing what came as a line of its own.
    static let unfinishedLineWait: Duration = .milliseconds(500)
    /// How often a restart the tracking files do not show yet tries the lock again.
    static let trackingRetry: Duration = .milliseconds(100)

    /// `devctl-keeper SPECFILE`: detaches (so `start` never has to reap it), prepares, spawns the
    /// first run, answers `start` on standard output, and supervises until the service is over.
    public static func main(arguments: [String]) -> Int32 {
        guard arguments.count == 2 else {
            FileSystem.writeLine(STDERR_FILENO, "usage: devctl-keeper SPECFILE (started by devctl start)")
            return 2
        }
        let child = fork()
        if child < 0 { return answer(.failed("cannot fork its keeper: \(Errno.current)")) }
        if child > 0 { return 0 }
        var keeper: Keeper
        do {
            keeper = try Keeper(specFile: arguments[1])
            try keeper.spawnRun()
        } catch {
            return answer(.failed(error.description))
        }
        _ = answer(.started(keeper.run!.leader))
        FileSystem.detachStandardStreams()
        keeper.supervise()
        return 0
    }

    private static func answer(_ handshake: KeeperHandshake) -> Int32 {
        FileSystem.writeLine(STDOUT_FILENO, String(handshake.line.dropLast()))
        if case .failed = handshake { return 1 }
        return 0
    }

    init(specFile: String) throws(KeeperError) {
        guard let bytes = try KeeperError.wrap("read \(specFile)", { () throws(RegularFileError) in try FileSystem.readRegularFile(specFile) }),
              let spec = KeeperSpec.decode(bytes) else { throw KeeperError("cannot read its specification \(specFile)") }
        self.spec = spec
        store = TrackingStore(root: spec.root)
        events = EventLog(path: store.eventsFile, warn: { _ in })
        signal(SIGPIPE, SIG_IGN)
        try KeeperError.wrap("become a subreaper") { () throws(SystemCallError) in try Subreaper.enable() }
        signals = try KeeperError.wrap("watch signals") { () throws(SystemCallError) in
            try SignalDescriptor([Signal(SIGCHLD), .user1, .terminate, .interrupt, .hangup])
        }
        let output = try KeeperError.wrap("make its output pipe") { () throws(SystemCallError) in try PipeDescriptors() }
        // A burst of output waits in the pipe while the log is written, not in the service.
        output.enlarge(to: 1 << 20)
        try KeeperError.wrap("watch its output") { () throws(SystemCallError) in try output.readWithoutBlocking() }
        self.output = output
        let logFile = store.logFile(for: spec.service)
        log = try KeeperError.wrap("open its log") { () throws(RegularFileError) in
            try StampedLogWriter(path: logFile, maxBytes: spec.logMaxBytes, keep: spec.logKeep)
        }
        guard let me = try? ProcessStat.read(pid: getpid()) else { throw KeeperError("cannot read its own /proc entry") }
        record = SupervisionRecord(keeper: ProcessIdentity(pid: me.pid, startTime: me.startTime))
        history = RestartDecision.History(firstDelay: spec.restartDelay)
        _ = chdir("/")
    }

    /// Spawns a run in a new session (in the service's cgroup when it has one), records it and
    /// writes its header.
    mutating func spawnRun() throws(KeeperError) {
        let pid: Int32
        do {
            pid = try Spawner.spawn(arguments: spec.arguments, environment: spec.environment, workingDirectory: spec.workingDirectory,
                                    outputDescriptor: output.writeEnd, placement: .newSession,
                                    cgroup: spec.cgroup.map { CgroupFolder(path: $0) })
        } catch {
            throw KeeperError(error.message)
        }
        // Our unreaped child: its /proc entry stays until we reap it. Without its start time it
        // could never be recorded safely, so it is taken down again.
        guard let stat = try? ProcessStat.read(pid: pid) else {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            _ = Spawner.reap(pid, blocking: true)
            throw KeeperError("cannot read the identity of the process it started; stopped it again")
        }
        let leader = ProcessIdentity(pid: pid, startTime: stat.startTime)
        run = Run(leader: leader, began: .now)
        record.leader = leader
        record.state = .running
        record.restarts = history.restarts
        record.restartAt = nil
        record.daemonized = false
        writeRecord()
        note(ServiceLog.runHeader(service: spec.service, pid: pid, restart: history.restarts, command: spec.displayCommand))
    }

    /// The loop: output, exits, stand-downs and due restarts, until the service is over.
    mutating func supervise() {
        while !finished {
            var watched = [pollfd(fd: signals.fd, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: output.readEnd, events: Int16(POLLIN), revents: 0)]
            let timeout = timeoutMilliseconds()
            if timeout < 0 { releaseIdleCode() }
            _ = poll(&watched, 2, timeout)
            readOutput()
            handleSignals()
            if let since = pendingSince, ContinuousClock.now - since >= Self.unfinishedLineWait {
                logging { (log: inout StampedLogWriter) throws(RegularFileError) in try log.flushPending(at: LogStamp.nowMilliseconds()) }
                pendingSince = nil
            }
            if let due = restartDue, ContinuousClock.now >= due { restart() }
            if trackingBehind != nil { updateTracking() }
        }
        readOutput()
        logging { (log: inout StampedLogWriter) throws(RegularFileError) in try log.flushPending(at: LogStamp.nowMilliseconds()) }
    }

    /// When the code pages were last released.
    var codeReleased: ContinuousClock.Instant?

    /// Before waiting with nothing due, lets go of the code pages start-up and the last burst of
    /// work touched (at most once a second): a keeper spends its life waiting, and what it runs
    /// then is a few pages, faulted back in from the page cache (`ResidentPages`, SPEC §7).
    private mutating func releaseIdleCode() {
        if let last = codeReleased, ContinuousClock.now - last < .seconds(1) { return }
        ResidentPages.releaseExecutable()
        codeReleased = .now
    }

    private func timeoutMilliseconds() -> Int32 {
        var waits = [Duration]()
        if let due = restartDue { waits.append(ContinuousClock.now.duration(to: due)) }
        if let since = pendingSince { waits.append(ContinuousClock.now.duration(to: since + Self.unfinishedLineWait)) }
        if trackingBehind != nil { waits.append(Self.trackingRetry) }
        return waits.min()?.pollTimeout ?? -1
    }

    /// Everything the service wrote so far, stamped with the time it was read.
    mutating func readOutput() {
        while true {
            let count = read(output.readEnd, buffer.baseAddress, buffer.count)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return }
            let chunk = Array(buffer[..<count])[...]
            logging { (log: inout StampedLogWriter) throws(RegularFileError) in try log.output(chunk, at: LogStamp.nowMilliseconds()) }
            pendingSince = log.pending.isEmpty ? nil : (pendingSince ?? .now)
        }
    }

    /// Stand-downs, and the exits of the service's processes (reaped, whoever they were).
    mutating func handleSignals() {
        let arrived = signals.drain()
        if arrived.contains(where: { $0 != Signal(SIGCHLD) }) { standDown() }
        reap()
    }

    /// A stop or restart is under way: no more restarts, no more records, and leave once the
    /// service is gone (at once when it already is, waiting for a restart).
    mutating func standDown() {
        guard !standingDown else { return }
        standingDown = true
        if restartDue != nil {
            restartDue = nil
            finished = true
        }
    }

    mutating func reap() {
        var childrenRemain = false
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid > 0 {
                let exit = ExitStatus(waitStatus: status)
                run?.lastExit = exit
                if pid == run?.leader.pid { run?.leaderExit = exit }
                continue
            }
            if pid < 0, errno == EINTR { continue }
            childrenRemain = pid == 0
            break
        }
        guard let current = run, let leaderExit = current.leaderExit else { return }
        if !childrenRemain {
            runEnded(current, leaderExit: leaderExit)
        } else if !current.leaderExitRecorded {
            // The leader is gone but processes of it live on (a daemon it forked): the service runs.
            run?.leaderExitRecorded = true
            record.lastExit = SupervisionRecord.Exit(leaderExit, at: LogStamp.nowMilliseconds())
            record.daemonized = leaderExit == .exited(0)
            writeRecord()
            note(ServiceLog.note("exit", service: spec.service,
                                 "its leader \(leaderExit); \(record.daemonized ? "what it started runs on" : "processes of it remain")"))
        }
    }

    /// Every process of the run is gone: record how it ended, then restart, give up or leave.
    mutating func runEnded(_ ended: Run, leaderExit: ExitStatus) {
        readOutput()
        run = nil
        let exit = ended.leaderExitRecorded && leaderExit == .exited(0) ? (ended.lastExit ?? leaderExit) : leaderExit
        record.lastExit = SupervisionRecord.Exit(exit, at: LogStamp.nowMilliseconds())
        record.daemonized = false
        let ranFor = Double((ContinuousClock.now - ended.began).components.seconds)
        let decision = RestartDecision.decide(policy: spec.restart, exit: exit, ranFor: ranFor,
                                              standingDown: standingDown, firstDelay: spec.restartDelay,
                                              maxRestarts: spec.maxRestarts, history: &history)
        events.record("exit", service: spec.service, pid: ended.leader.pid, outcome: Self.outcome(of: decision, exit: exit, oneshot: spec.oneshot),
                      detail: "\(exit)")
        switch decision {
        case .restart(let delay):
            record.state = .restarting
            record.restartAt = LogStamp.nowMilliseconds() + Int64(delay * 1000)
            restartDue = .now + .milliseconds(Int64(delay * 1000))
            note(ServiceLog.note("exit", service: spec.service,
                                 "\(exit); restarting in \(Self.seconds(delay)) (restart \(history.restarts) of at most \(spec.maxRestarts))"))
        case .giveUp:
            record.state = .failed
            finished = true
            note(ServiceLog.note("gave-up", service: spec.service,
                                 "\(exit); gave up after \(history.restarts) \(history.restarts == 1 ? "restart" : "restarts")"))
        case .stay:
            record.state = spec.oneshot && exit == .exited(0) ? .done : .dead
            finished = true
            note(ServiceLog.note("exit", service: spec.service, "\(exit)"))
        }
        writeRecord()
    }

    /// Runs the service again, unless a stand-down arrived meanwhile. Done under the keeper's own
    /// lock, which `stop` takes after telling the keeper to stand down: once `stop` holds it, no
    /// restart is half-made and none will follow.
    mutating func restart() {
        restartDue = nil
        let lock = FileLock(path: store.keeperLockFile(for: spec.service))
        // Held longer than a stop ever holds it, something is wrong: restart nothing.
        let locked = lock.tryAcquire(timeout: 10, describing: "devctl-keeper \(spec.service)")
        defer { lock.release() }
        handleSignals()
        if standingDown || !locked {
            record.state = .dead
            record.restartAt = nil
            finished = true
            writeRecord()
            return
        }
        do {
            try spawnRun()
            trackingBehind = run?.leader
            events.record("restart", service: spec.service, pid: run?.leader.pid, outcome: "spawned",
                          detail: "restart \(history.restarts)")
        } catch {
            note(ServiceLog.note("gave-up", service: spec.service, "cannot restart it: \(error)"))
            record.state = .failed
            record.restartAt = nil
            finished = true
            writeRecord()
        }
    }

    /// Makes the three tracking files name the new leader, if the project lock is free now; else
    /// tries again shortly (a `start` may hold it for a while, and the keeper never waits for it).
    mutating func updateTracking() {
        guard let leader = trackingBehind else { return }
        let lock = FileLock(path: store.lockFile)
        guard lock.tryAcquire(timeout: 0, describing: "devctl-keeper \(spec.service)") else { return }
        defer { lock.release() }
        trackingBehind = nil
        guard let tracking = try? store.read(overlayingKeepers: false), tracking.problems.isEmpty,
              let index = tracking.entries.firstIndex(where: { $0.name == spec.service }) else { return }
        var entries = tracking.entries
        guard entries[index].pid != leader.pid else { return }
        entries[index] = TrackedService(name: spec.service, pid: leader.pid, pgid: leader.pid, startTime: leader.startTime)
        try? store.write(entries)
    }

    /// Once told to stand down the keeper writes no record: the stop that told it removes the
    /// keeper's files as soon as the service is gone, and must not find them written again.
    private mutating func writeRecord() {
        guard !standingDown else { return }
        do {
            try store.writeSupervision(record, of: spec.service)
        } catch {
            note(ServiceLog.note("keeper", service: spec.service, "cannot write its record: \(error)"))
        }
    }

    private mutating func note(_ text: String) {
        logging { (log: inout StampedLogWriter) throws(RegularFileError) in try log.note(text) }
    }

    /// A log that cannot be written loses output, but never the supervision.
    private mutating func logging(_ body: (inout StampedLogWriter) throws(RegularFileError) -> Void) {
        try? body(&log)
    }

    /// The `outcome` of an exit in the audit trail.
    static func outcome(of decision: RestartDecision, exit: ExitStatus, oneshot: Bool) -> String {
        switch decision {
        case .restart: "restarting"
        case .giveUp: "failed"
        case .stay: oneshot && exit == .exited(0) ? "done" : "dead"
        }
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}

/// Why a keeper could not start its service, as `start` shows it.
public struct KeeperError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }

    static func wrap<T, E: Error>(_ what: String, _ body: () throws(E) -> T) throws(KeeperError) -> T {
        do {
            return try body()
        } catch {
            throw KeeperError("cannot \(what): \(error)")
        }
    }
}
