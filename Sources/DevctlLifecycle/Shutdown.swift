import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What `stop` asked for.
public struct StopOptions: Sendable {
    public var names: [String] = []
    public var force = false
    /// Overrides every stopTimeout (and compose's) when given.
    public var timeout: Double?
    /// Set from a signal handler: the stop then finishes without further grace.
    public var isInterrupted: @Sendable () -> Bool = { false }

    public init(names: [String] = [], force: Bool = false, timeout: Double? = nil) {
        self.names = names
        self.force = force
        self.timeout = timeout
    }

    /// The whole seconds `docker compose down` gives containers: the same grace as processes
    /// (`--timeout`, else the project's stopTimeout, rounded up), none when forced or interrupted.
    public func composeTimeout(stopTimeout: Double) -> Int {
        force || isInterrupted() ? 0 : Int((timeout ?? stopTimeout).rounded(.up))
    }
}

/// Carries out the five phases of SPEC §4: graceful signal in dependency waves, SIGKILL until a
/// scan finds nothing new, the orphan sweep, `docker compose down`, and verification — then
/// rewrites the tracking files to keep only what survived. The caller holds the lock.
public struct Shutdown: Sendable {
    public let project: Project
    public let containers: @Sendable (_ timeout: Int) -> ComposeOutcome
    /// Grace between SIGTERM and SIGKILL in the orphan sweep.
    public var orphanGrace: Double = 0.5

    public init(project: Project, containers: @escaping @Sendable (_ timeout: Int) -> ComposeOutcome) {
        self.project = project
        self.containers = containers
    }

    public func run(_ options: StopOptions, report emit: @escaping @Sendable (ShutdownEvent) -> Void) throws -> ShutdownReport {
        let began = Date()
        let snapshot = project.store.read()
        let names = try project.resolveNamesAllowingTracked(options.names, tracked: snapshot)
        let inspection = ServiceInspector(project: project).inspect(snapshot, table: .scan())
        inspection.problems.forEach { emit(.warning($0)) }
        inspection.warnings.forEach { emit(.warning($0)) }
        let plan = ShutdownPlan.make(project: project, inspection: inspection, names: names,
                                     force: options.force, timeout: options.timeout)
        var report = ShutdownReport()
        var pending = [String: (target: StopTarget, signalledAt: Date)]()

        emit(.phase(1, "Graceful"))
        if plan.force {
            emit(.skipped(phase: 1, reason: "--force: no grace"))
        }
        for (waveIndex, wave) in plan.waves.enumerated() {
            var live = [StopTarget]()
            for target in wave {
                guard target.leader != nil || !target.processes.isEmpty else {
                    let result = ServiceStopResult(name: target.name, pid: target.leader?.pid, outcome: .alreadyDead,
                                                   signal: nil, milliseconds: 0, note: target.note)
                    report.services.append(result)
                    emit(.stopped(result))
                    continue
                }
                live.append(target)
            }
            if plan.force {
                for target in live { pending[target.name] = (target, Date()) }
                continue
            }
            for target in live {
                signal(target, with: target.signal)
                project.events.record("signal", service: target.name, pid: target.leader?.pid, signal: target.signal)
                emit(.signalled(name: target.name, signal: target.signal, processes: target.processes.count))
                pending[target.name] = (target, Date())
            }
            let laggards = waitForExit(live, pending: pending, options: options) { target in
                let ms = Int(Date().timeIntervalSince(pending[target.name]!.signalledAt) * 1000)
                let result = ServiceStopResult(name: target.name, pid: target.leader?.pid, outcome: .graceful,
                                               signal: target.signal, milliseconds: ms, note: nil)
                report.services.append(result)
                pending[target.name] = nil
                project.events.record("stopped", service: target.name, pid: target.leader?.pid,
                                      signal: target.signal, outcome: "graceful")
                emit(.stopped(result))
            }
            for (target, remaining) in laggards {
                // An interrupt ends the grace early: say how long it really was.
                let waited = min(target.timeout, Date().timeIntervalSince(pending[target.name]!.signalledAt))
                emit(.timedOut(name: target.name, seconds: waited, remaining: remaining))
            }
            // Dependencies are signalled only once their dependents are gone: kill laggards now.
            if waveIndex < plan.waves.count - 1, !laggards.isEmpty {
                report.services += forceKill(laggards.map(\.0), pending: &pending, emit: emit)
            }
        }

        emit(.phase(2, "Force"))
        let forcedTargets = plan.targets.filter { pending[$0.name] != nil }
        if forcedTargets.isEmpty {
            emit(.skipped(phase: 2, reason: "nothing left to kill"))
        } else {
            report.services += forceKill(forcedTargets, pending: &pending, emit: emit)
        }

        emit(.phase(3, "Orphan sweep"))
        let rules = OrphanRules(project: project, plan: plan)
        report.orphans = sweep(rules, emit: emit)
        if report.orphans.isEmpty { emit(.skipped(phase: 3, reason: "no orphans found")) }

        emit(.phase(4, "Containers"))
        if plan.isFullStop {
            report.containers = containers(options.composeTimeout(stopTimeout: project.config.stopTimeout))
            project.events.record("compose-down", outcome: report.containers.summary)
            emit(.containers(report.containers))
        } else {
            report.containers = .skipped("stopping named services only")
            emit(.skipped(phase: 4, reason: "stopping named services only"))
        }

        emit(.phase(5, "Verify"))
        // One scan serves the verification and the tracking update that follows it.
        let table = ProcessTable.scan()
        report.stragglers = verify(plan: plan, rules: rules, table: table)
        report.stragglers.forEach { emit(.straggler($0)) }
        if report.stragglers.isEmpty {
            let ports = plan.targets.compactMap { project.config.service(named: $0.name)?.healthcheck?.port }
            emit(.verified(ports: ports))
        }
        try updateTracking(snapshot: snapshot, plan: plan, stragglers: report.stragglers, table: table)
        report.interrupted = options.isInterrupted()
        report.milliseconds = Int(Date().timeIntervalSince(began) * 1000)
        let order = Dictionary(uniqueKeysWithValues: plan.targets.enumerated().map { ($1.name, $0) })
        report.services.sort { (order[$0.name] ?? 0) < (order[$1.name] ?? 0) }
        project.events.record("stop", outcome: report.succeeded ? "ok" : "stragglers",
                              detail: "\(report.services.count) services, \(report.orphans.count) orphans, \(report.stragglers.count) stragglers")
        return report
    }

    /// The stop signal to the group (while the leader proves it) and to every tree member outside
    /// it; a stopped process also gets SIGCONT so it can act on the signal.
    private func signal(_ target: StopTarget, with signal: Signal) {
        SafeSignal.send(signal, toTree: target.processes, leader: target.leader, group: target.group)
        if signal != .kill {
            SafeSignal.send(.continue, toTree: target.processes.filter(\.isStopped), leader: target.leader, group: target.group)
        }
    }

    /// Polls (see `Backoff`) until each target's processes are gone or its grace ends;
    /// calls `gone` for each target as soon as it is. Returns the laggards with their live count.
    private func waitForExit(_ targets: [StopTarget], pending: [String: (target: StopTarget, signalledAt: Date)],
                             options: StopOptions, gone: (StopTarget) -> Void) -> [(StopTarget, Int)] {
        var waiting = targets
        var backoff = Backoff()
        while !waiting.isEmpty {
            let now = Date()
            var still = [StopTarget]()
            for target in waiting {
                if target.processes.allSatisfy({ !ProcessTable.isAlive($0.identity) }) {
                    gone(target)
                } else {
                    still.append(target)
                }
            }
            waiting = still
            let expired = waiting.filter {
                options.isInterrupted() || now.timeIntervalSince(pending[$0.name]!.signalledAt) >= $0.timeout
            }
            if !expired.isEmpty, expired.count == waiting.count {
                return expired.map { target in (target, target.processes.filter { ProcessTable.isAlive($0.identity) }.count) }
            }
            if waiting.isEmpty { break }
            backoff.pause()
        }
        return []
    }

    /// SIGKILL to the targets, then scan and kill again until a pass finds nothing new alive, so a
    /// service forking while it is being killed cannot win.
    private func forceKill(_ targets: [StopTarget], pending: inout [String: (target: StopTarget, signalledAt: Date)],
                           emit: @Sendable (ShutdownEvent) -> Void) -> [ServiceStopResult] {
        var killed = Set<ProcessIdentity>()
        for target in targets {
            signal(target, with: .kill)
            killed.formUnion(target.processes.map(\.identity))
            emit(.forced(name: target.name, processes: target.processes.count))
            project.events.record("signal", service: target.name, pid: target.leader?.pid, signal: .kill, outcome: "forced")
        }
        // Bounded: each pass either finds new processes to kill or ends the loop.
        for _ in 0..<20 {
            Self.waitGone(killed, upTo: 1)
            let table = ProcessTable.scan()
            var alive = [Int32: ProcessEntry]()
            for target in targets {
                let roots = target.processes.compactMap { table.live($0.identity) }
                for entry in roots + roots.flatMap({ table.descendants(of: $0.pid) }) { alive[entry.pid] = entry }
                if let group = target.group {
                    for entry in table.entries.values where entry.sid == group || entry.pgid == group { alive[entry.pid] = entry }
                }
            }
            let fresh = alive.values.filter { !$0.isGone && $0.pid > 1 && !killed.contains($0.identity) }
            if fresh.isEmpty { break }
            for process in fresh { SafeSignal.send(.kill, to: process.identity) }
            killed.formUnion(fresh.map(\.identity))
        }
        return targets.map { target in
            let ms = Int(Date().timeIntervalSince(pending[target.name]?.signalledAt ?? Date()) * 1000)
            pending[target.name] = nil
            return ServiceStopResult(name: target.name, pid: target.leader?.pid, outcome: .forced, signal: .kill,
                                     milliseconds: ms, note: nil)
        }
    }

    /// Phase 3: TERM every process the rules claim, a brief grace, then KILL what remains.
    private func sweep(_ rules: OrphanRules, emit: @Sendable (ShutdownEvent) -> Void) -> [SweptOrphan] {
        let matches = rules.matches(in: ProcessTable.scan())
        guard !matches.isEmpty else { return [] }
        for match in matches { SafeSignal.send(.terminate, to: match.process.identity) }
        let survivors = Self.waitGone(Set(matches.map(\.process.identity)), upTo: orphanGrace)
        var swept = [SweptOrphan]()
        for match in matches {
            let identity = match.process.identity
            var signal = Signal.terminate
            if survivors.contains(identity) {
                SafeSignal.send(.kill, to: identity)
                signal = .kill
            }
            let orphan = SweptOrphan(pid: identity.pid, command: match.process.commandLine, reason: match.reason, signal: signal)
            project.events.record("orphan", pid: identity.pid, signal: signal, outcome: "killed", detail: match.reason)
            emit(.orphan(orphan))
            swept.append(orphan)
        }
        Self.waitGone(survivors, upTo: 1)
        return swept
    }

    /// Phase 5: every tracked, grouped or marked process must be gone and every health-check port
    /// of a stopped service free again.
    private func verify(plan: ShutdownPlan, rules: OrphanRules, table: ProcessTable) -> [Straggler] {
        var stragglers = rules.matches(in: table).map { match in
            Straggler(pid: match.process.pid, command: match.process.commandLine,
                      service: ProcessDetails.environment(of: match.process.pid)?[Project.serviceVariable])
        }
        // One read of the kernel's listening sockets serves every port.
        let ports = plan.targets.compactMap { project.config.service(named: $0.name)?.healthcheck?.port }
        let listening = ports.isEmpty ? [] : PortOwners.listeningPorts()
        for port in ports {
            guard PortOwners.isInUse(port: port, listening: listening) else { continue }
            let holders = PortOwners.listeners(port: port)
            if holders.isEmpty {
                stragglers.append(Straggler(pid: nil, command: "port \(port) still in use", service: "port \(port)"))
            }
            for holder in holders {
                stragglers.append(Straggler(pid: holder.pid, command: holder.command ?? "?", service: "port \(port)"))
            }
        }
        return stragglers
    }

    /// Removes the entries of services that are gone; keeps those whose processes survived.
    private func updateTracking(snapshot: TrackingStore.Snapshot, plan: ShutdownPlan, stragglers: [Straggler],
                                table: ProcessTable) throws {
        let stopped = Set(plan.targets.map(\.name))
        let surviving = Set(stragglers.compactMap(\.service))
        let kept = snapshot.entries.filter { entry in
            if !stopped.contains(entry.name) { return true }
            if surviving.contains(entry.name) { return true }
            return plan.targets.first { $0.name == entry.name }?.leader.map { table.live($0) != nil } ?? false
        }
        if kept != snapshot.entries || !snapshot.problems.isEmpty {
            try project.store.write(kept)
        }
    }

    /// Waits until none of `identities` is alive or `seconds` pass; returns those still alive.
    @discardableResult
    static func waitGone(_ identities: Set<ProcessIdentity>, upTo seconds: Double) -> Set<ProcessIdentity> {
        let deadline = Date().addingTimeInterval(seconds)
        var alive = identities
        var backoff = Backoff()
        while true {
            alive = alive.filter(ProcessTable.isAlive)
            if alive.isEmpty || Date() >= deadline { return alive }
            backoff.pause()
        }
    }
}

extension Project {
    /// Like `resolveNames`, but a name still in the tracking files (a service removed from
    /// services.json while running) may be stopped too. `tracked` is what the caller already read
    /// of the tracking files, so they are not read twice.
    public func resolveNamesAllowingTracked(_ names: [String], tracked snapshot: TrackingStore.Snapshot? = nil)
        throws(UnknownServiceError) -> [String] {
        let tracked = Set((snapshot ?? store.read()).entries.map(\.name))
        let unknownButTracked = names.filter { tracked.contains($0) && config.service(named: $0) == nil }
        let rest = try resolveNames(names.filter { !unknownButTracked.contains($0) })
        return names.isEmpty ? [] : rest + unknownButTracked
    }
}

extension ComposeOutcome {
    /// One line for the account and the audit trail.
    public var summary: String {
        switch self {
        case .skipped(let reason): "skipped (\(reason))"
        case .succeeded(let frontEnd, let containers, let detail):
            containers.isEmpty ? "\(frontEnd): \(detail)" : "\(frontEnd): \(detail): \(containers.joined(separator: ", "))"
        case .failed(let frontEnd, let detail): "\(frontEnd) failed: \(detail)"
        }
    }
}
