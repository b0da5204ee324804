import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// What `start` asked for.
public struct StartOptions: Sendable {
    public var names: [String]
    /// Return once the last service is spawned (dependencies are still waited for).
    public var wait: Bool
    /// Checked between steps and while waiting: Ctrl-C ends the start early.
    public var isCancelled: @Sendable () -> Bool

    public init(names: [String] = [], wait: Bool = true, isCancelled: @escaping @Sendable () -> Bool = { false }) {
        self.names = names
        self.wait = wait
        self.isCancelled = isCancelled
    }
}

/// One thing that happened during `start`, reported as it happens so the terminal shows progress.
public enum StartEvent: Sendable {
    case ignoredEntry(String)
    case alreadyRunning(name: String, pid: Int32)
    case clearedDeadEntry(name: String, pid: Int32, reason: String)
    case spawned(name: String, pid: Int32, step: Int, of: Int)
    case waiting(name: String, check: String)
    case ready(name: String, pid: Int32, seconds: Double)
    case failed(name: String, reason: String, logTail: [String])
    case skipped(name: String, reason: String)
}

/// How one service's start ended.
public enum StartOutcome: Sendable, Equatable {
    case started(pid: Int32)
    case alreadyRunning(pid: Int32)
    case failed(String)
    case skipped(String)

    public var isFailure: Bool {
        switch self {
        case .failed, .skipped: true
        default: false
        }
    }
}

/// The result of `start`: per service, in configuration order, and the time taken.
public struct StartReport: Sendable {
    public var outcomes: [(name: String, outcome: StartOutcome)]
    public var seconds: Double
    public var cancelled: Bool
    /// Services this run spawned, healthy or not (what Ctrl-C must take down again).
    public var spawned: [String]
    public var succeeded: Bool { !cancelled && !outcomes.contains { $0.outcome.isFailure } }
}

/// Starts services in dependency waves: each wave's services are spawned together, recorded at
/// once, then waited for (health check, or still alive after a short settle) before the next wave.
/// A failed dependency fails its dependents without spawning them. The caller holds the lock.
public struct Starter: Sendable {
    public let project: Project
    public let launcher: ServiceLauncher
    /// How long a service without a health check must stay alive to count as started.
    public var settleTime: Double = 0.15

    public init(project: Project, launcher: ServiceLauncher) {
        self.project = project
        self.launcher = launcher
    }

    public func run(_ options: StartOptions, report: @escaping @Sendable (StartEvent) -> Void) throws -> StartReport {
        let began = Date()
        let store = project.store
        try store.prepare()
        let snapshot = store.read()
        let inspection = ServiceInspector(project: project).inspect(snapshot, table: .scan())
        inspection.warnings.forEach { report(.ignoredEntry($0)) }
        var entries = snapshot.entries
        let targets = project.graph.closure(of: try project.resolveNames(options.names))
        let waves = project.graph.startWaves(of: targets)
        let toSpawn = targets.filter { inspection.runtime($0)?.leader == nil }.count
        var outcomes = [String: StartOutcome]()
        var step = 0
        var spawned = [String]()

        for (waveIndex, wave) in waves.enumerated() {
            var awaited = [Awaited]()
            // One read of the kernel's listening sockets serves the port checks of the whole wave.
            let listening = wave.contains { project.config.service(named: $0)?.healthcheck?.port != nil }
                ? PortOwners.listeningPorts() : []
            for name in wave {
                guard let service = project.config.service(named: name) else { continue }
                if options.isCancelled() { break }
                if let failed = service.dependsOn.first(where: { outcomes[$0]?.isFailure ?? false }) {
                    outcomes[name] = .skipped("dependency '\(failed)' did not start")
                    report(.skipped(name: name, reason: "dependency '\(failed)' did not start"))
                    continue
                }
                let runtime = inspection.runtime(name)
                if let leader = runtime?.leader {
                    let current = TrackedService(name: name, pid: leader.pid, pgid: leader.pgid, startTime: leader.stat.startTime)
                    if runtime?.tracked != current {
                        // Recognised by its marker, not by the files (a start killed before recording it).
                        entries.removeAll { $0.name == name }
                        entries.append(current)
                        try store.write(ordered(entries))
                    }
                    outcomes[name] = .alreadyRunning(pid: leader.pid)
                    report(.alreadyRunning(name: name, pid: leader.pid))
                    // Running is not ready: its dependents still wait for its health check. A paused
                    // service was frozen on purpose and is left as it is.
                    if service.healthcheck != nil, runtime?.state == .running {
                        let identity = leader.identity
                        awaited.append(Awaited(service: service, pid: leader.pid, spawned: false) {
                            ProcessTable.isAlive(identity) ? nil : "exited"
                        })
                    }
                    continue
                }
                if let old = runtime?.tracked {
                    entries.removeAll { $0.name == name }
                    report(.clearedDeadEntry(name: name, pid: old.pid, reason: runtime?.note ?? "exited"))
                }
                if let conflict = portConflict(service, listening: listening) {
                    outcomes[name] = .failed(conflict)
                    report(.failed(name: name, reason: conflict, logTail: []))
                    continue
                }
                do {
                    let entry = try launcher.launch(service)
                    entries.append(entry)
                    do {
                        try store.write(ordered(entries))
                    } catch {
                        // Unrecorded, it could be found only by the orphan sweep: take it down again now.
                        Self.revoke(entry)
                        throw TrackingWriteError(service: name, pid: entry.pid, directory: store.directory, cause: error)
                    }
                    step += 1
                    project.events.record("start", service: name, pid: entry.pid, outcome: "spawned")
                    report(.spawned(name: name, pid: entry.pid, step: step, of: toSpawn))
                    awaited.append(Awaited(service: service, pid: entry.pid, spawned: true) {
                        Spawner.reap(entry.pid).map { "\($0)" }
                    })
                    spawned.append(name)
                } catch let error as SpawnError {
                    outcomes[name] = .failed(error.message)
                    project.events.record("start", service: name, outcome: "failed", detail: error.message)
                    report(.failed(name: name, reason: error.message, logTail: []))
                }
            }
            let isLastWave = waveIndex == waves.count - 1
            if !options.wait && isLastWave {
                for item in awaited where item.spawned { outcomes[item.service.name] = .started(pid: item.pid) }
            } else {
                for (name, outcome) in waitForWave(awaited, options: options, report: report) { outcomes[name] = outcome }
            }
            if options.isCancelled() { break }
        }
        let ordered = targets.compactMap { name in outcomes[name].map { (name: name, outcome: $0) } }
        return StartReport(outcomes: ordered, seconds: Date().timeIntervalSince(began), cancelled: options.isCancelled(),
                           spawned: spawned)
    }

    /// A service a wave must see ready before the next wave starts: one it spawned, or one found
    /// already running whose health check has yet to pass.
    private struct Awaited: Sendable {
        var service: ServiceConfig
        var pid: Int32
        var spawned: Bool
        /// Why waiting is pointless ("exited with status 1"), or nil while the service lives.
        var gone: @Sendable () -> String?
    }

    /// Waits for every service of a wave at once: health checks concurrently, and a service that
    /// exits meanwhile fails at once with its exit status and the end of its log.
    private func waitForWave(_ awaited: [Awaited], options: StartOptions,
                       report: @escaping @Sendable (StartEvent) -> Void) -> [(String, StartOutcome)] {
        let results = Mutex<[(String, StartOutcome)]>([])
        let project = project, checks = HealthCheckRunner(launcher: launcher)
        // One deadline for the whole wave: every service was spawned before it, so each has lived
        // at least `settleTime` when it passes, and the wave settles in `settleTime` rather than
        // in one settle per worker thread after another.
        let settleDeadline = Date().addingTimeInterval(settleTime)
        Concurrently.forEach(awaited.count) { index in
            let item = awaited[index], service = item.service
            let began = Date()
            let exitReason: @Sendable () -> String? = {
                if options.isCancelled() { return "start interrupted" }
                return item.gone()
            }
            let outcome: StartOutcome
            if let check = service.healthcheck {
                report(.waiting(name: service.name, check: check.summary))
                let deadline = Date().addingTimeInterval(check.timeout)
                let result = HealthWaiter.wait(timeout: check.timeout, interval: check.interval, probe: {
                    let remaining = deadline.timeIntervalSinceNow
                    return checks.probe(service, timeout: HealthCheckRunner.probeTimeout(for: check, remaining: remaining))
                }, shouldAbort: exitReason)
                switch result {
                case .healthy:
                    outcome = item.spawned ? .started(pid: item.pid) : .alreadyRunning(pid: item.pid)
                case .timedOut(let last):
                    outcome = .failed("not healthy after \(String(format: "%g", check.timeout)) s (\(last))")
                case .aborted(let reason):
                    outcome = .failed(reason)
                }
            } else {
                outcome = Self.settle(pid: item.pid, until: settleDeadline, exitReason: exitReason)
            }
            switch outcome {
            case .started(let pid), .alreadyRunning(let pid):
                project.events.record("health", service: service.name, pid: pid, outcome: "ready")
                report(.ready(name: service.name, pid: pid, seconds: Date().timeIntervalSince(began)))
            case .failed(let reason):
                project.events.record("health", service: service.name, pid: item.pid, outcome: "failed", detail: reason)
                let tail = LogReader.newestRunTail(path: project.store.logFile(for: service.name), service: service.name, count: 5)
                report(.failed(name: service.name, reason: reason, logTail: tail))
            default: break
            }
            results.withLock { $0.append((service.name, outcome)) }
        }
        return results.withLock { $0 }
    }

    /// A service without a health check counts as started once it is still alive at `deadline`.
    private static func settle(pid: Int32, until deadline: Date, exitReason: () -> String?) -> StartOutcome {
        while Date() < deadline {
            if let reason = exitReason() { return .failed(reason) }
            usleep(10_000)
        }
        if let reason = exitReason() { return .failed(reason) }
        return .started(pid: pid)
    }

    /// Kills a service just spawned (its whole group, identity-checked) and reaps it.
    private static func revoke(_ entry: TrackedService) {
        if let start = entry.startTime {
            SafeSignal.send(.kill, toGroup: entry.pgid, provenBy: ProcessIdentity(pid: entry.pid, startTime: start))
        }
        // An unreaped child's PID cannot be reused, so the leader itself is safe to signal by PID
        // (and must be, or the blocking reap below would wait for it forever).
        _ = try? ProcessSignaller.signal(pid: entry.pid, .kill)
        _ = Spawner.reap(entry.pid, blocking: true)
    }

    /// Refuses to spawn a service whose health-check port is already taken, naming the holder.
    /// `listening` is read once per wave (see `PortOwners.listeningPorts()`).
    private func portConflict(_ service: ServiceConfig, listening: Set<Int>) -> String? {
        guard let port = service.healthcheck?.port, PortOwners.isInUse(port: port, listening: listening) else { return nil }
        let holders = PortOwners.listeners(port: port).compactMap { holder -> String? in
            guard let pid = holder.pid else { return nil }
            return "pid \(pid): \(holder.command ?? "?")"
        }
        if holders.isEmpty { return "port \(port) already in use" }
        return "port \(port) already in use by \(holders.joined(separator: ", "))"
    }

    /// Tracking entries in configuration order, so the files read like services.json.
    private func ordered(_ entries: [TrackedService]) -> [TrackedService] {
        let order = Dictionary(uniqueKeysWithValues: project.config.services.enumerated().map { ($1.name, $0) })
        return entries.sorted { (order[$0.name] ?? Int.max) < (order[$1.name] ?? Int.max) }
    }
}

extension HealthCheck {
    /// "tcp 127.0.0.1:8000", "http http://…", "command 'pg_isready'" — for progress lines.
    public var summary: String {
        switch kind {
        case .tcp(let port): "tcp 127.0.0.1:\(port)"
        case .http(let url): "http \(url)"
        case .command(let command): "command '\(command)'"
        }
    }
}
