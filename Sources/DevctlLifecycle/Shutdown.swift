import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlTracking

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

/// Carries out the five phases of SPEC §4 — graceful signal in dependency order, SIGKILL until a
/// scan finds nothing new, the orphan sweep, `docker compose down`, and verification — then
/// rewrites the tracking files to keep what survived or could not be proven gone. The decisions
/// are `ShutdownPlan`, `Ownership`, `Verification` and `TrackingRetention`; this only carries
/// them out and reports what the kernel answered. The caller holds the lock.
public struct Shutdown: Sendable {
    public let project: Project
    public let containers: @Sendable (_ timeout: Int) -> ComposeOutcome
    /// Grace between SIGTERM and SIGKILL in the orphan sweep.
    public var orphanGrace: Double = 0.5
    /// How long the orphan sweep may keep finding new processes.
    public var sweepBound: Double = 5

    public init(project: Project, containers: @escaping @Sendable (_ timeout: Int) -> ComposeOutcome) {
        self.project = project
        self.containers = containers
    }

    /// Runs the stop. Throws only when nothing could be done at all (`/proc` unreadable at the
    /// start); every later failure is in the report, which then does not succeed.
    public func run(_ options: StopOptions, report emit: @escaping @Sendable (ShutdownEvent) -> Void) throws -> ShutdownReport {
        let began = ContinuousClock.now
        var run = StopRun(project: project, options: options, emit: emit)
        let before = readTracking(run: &run)
        let names = try project.resolveNamesAllowingTracked(options.names, tracked: before)
        // Before anything is signalled, and before the entries are read for good: a restart made
        // just before the stand-down is then in them.
        standDownKeepers(names, tracked: before.entries.map(\.name), run: &run)
        var reading = StopRun(project: project, options: options, emit: { _ in })
        let tracking = readTracking(run: &reading)
        let scan = try ProjectScan.take(.services(tracked: Set(tracking.entries.map(\.pid))), for: project)
        run.report.containment = scan.containment
        emit(.containment(scan.containment))
        let inspection = ServiceInspector(project: project).inspect(tracking, scan: scan)
        (inspection.problems + inspection.warnings).forEach { emit(.warning($0)) }
        let plan = ShutdownPlan.make(project: project, inspection: inspection, scan: scan, names: names,
                                     force: options.force, timeout: options.timeout)

        emit(.phase(1, "Graceful"))
        let laggards = GracefulPhase.stop(plan, run: &run)
        emit(.phase(2, "Force"))
        if laggards.isEmpty {
            emit(.skipped(phase: 2, reason: "nothing left to kill"))
        } else {
            run.report.services += ForcePhase.kill(laggards, run: &run)
        }
        emit(.phase(3, "Orphan sweep"))
        let ownership = Ownership(project: project, plan: plan)
        OrphanSweep(grace: orphanGrace, bound: sweepBound).sweep(ownership, run: &run)
        emit(.phase(4, "Containers"))
        stopContainers(plan, run: &run)
        emit(.phase(5, "Verify"))
        let kept = try verify(plan, ownership: ownership, tracking: tracking, run: &run)
        forgetKeepers(of: plan, kept: kept)

        run.report.interrupted = options.isInterrupted()
        run.report.milliseconds = Self.milliseconds(since: began)
        let order = Dictionary(uniqueKeysWithValues: plan.targets.enumerated().map { ($1.name, $0) })
        run.report.services.sort { (order[$0.name] ?? 0) < (order[$1.name] ?? 0) }
        let report = run.report
        project.events.record("stop", outcome: report.succeeded ? "ok" : "failed",
                              detail: "\(report.services.count) services, \(report.orphans.count) orphans, "
                                + "\(report.stragglers.count) stragglers, \(report.failures.count) unproven")
        return report
    }

    /// The tracking entries; when they cannot be read (a link or a FIFO planted in `.pids/`), the
    /// stop still takes down what carries the project's marker, but cannot prove it found
    /// everything, so it fails.
    private func readTracking(run: inout StopRun) -> TrackingStore.Snapshot {
        do {
            return try project.store.read()
        } catch {
            run.fail(StopFailure(service: nil, detail: "cannot read the tracking files (\(error)); "
                                    + "stopping only what carries \(Project.markerVariable)"))
            return TrackingStore.Snapshot()
        }
    }

    private func stopContainers(_ plan: ShutdownPlan, run: inout StopRun) {
        guard plan.isFullStop else {
            run.report.containers = .skipped("stopping named services only")
            run.emit(.skipped(phase: 4, reason: "stopping named services only"))
            return
        }
        run.report.containers = containers(run.options.composeTimeout(stopTimeout: project.config.stopTimeout))
        project.events.record("compose-down", outcome: run.report.containers.summary)
        run.emit(.containers(run.report.containers))
    }

    /// Tells the keepers of the services this stop takes down (all tracked and configured ones for
    /// a full stop) to stand down; a keeper that could not be told is a failure, since a restart
    /// might then race the stop.
    private func standDownKeepers(_ names: [String], tracked: [String], run: inout StopRun) {
        var services = names
        if services.isEmpty {
            services = project.config.services.map(\.name) + tracked.filter { project.config.service(named: $0) == nil }
        }
        let outcome = KeeperStandDown.tell(services, store: project.store)
        outcome.problems.forEach { run.fail(StopFailure(service: nil, detail: $0)) }
    }

    /// Removes the keeper files of every service whose tracking entry the stop removed. Their
    /// keepers, told to stand down, write no more records and leave once their services are gone.
    private func forgetKeepers(of plan: ShutdownPlan, kept: [TrackedService]?) {
        guard let kept else { return }
        let keptNames = Set(kept.map(\.name))
        for target in plan.targets where !keptNames.contains(target.name) {
            project.store.removeKeeperFiles(of: target.name)
        }
    }

    /// Phase 5: one scan serves the verdict and the tracking update that follows it. Without a
    /// scan nothing is proven, so every entry stays.
    /// Returns the entries kept, nil when nothing could be verified.
    private func verify(_ plan: ShutdownPlan, ownership: Ownership, tracking: TrackingStore.Snapshot,
                        run: inout StopRun) throws -> [TrackedService]? {
        let scan: ProjectScan
        do {
            scan = try ProjectScan.take(.sweep(patterns: !ownership.patterns.isEmpty), for: project,
                                        containment: run.report.containment)
        } catch {
            run.fail(StopFailure(service: nil, detail: "cannot verify: \(error)"))
            return nil
        }
        let ports = plan.targets.compactMap { project.config.service(named: $0.name)?.healthcheck?.port }
        var verdict = Verification.judge(plan: plan, ownership: ownership, scan: scan,
                                         portHolders: PortHolders.find(ports))
        for index in verdict.stragglers.indices {
            guard let pid = verdict.stragglers[index].pid, let process = scan.processes[pid] else { continue }
            verdict.stragglers[index].command = ProcessNames.commandLine(of: process)
        }
        verdict.stragglers.forEach { run.emit(.straggler($0)) }
        verdict.failures.forEach { run.fail($0) }
        verdict.foreignPortHolders.forEach { run.emit(.foreignPortHolder($0)) }
        run.report.stragglers = verdict.stragglers
        run.report.foreignPortHolders = verdict.foreignPortHolders
        if verdict.stragglers.isEmpty && run.report.failures.isEmpty { run.emit(.verified(ports: ports)) }
        CgroupCleanup.removeEmpty(of: plan, scan: scan, store: project.store).forEach { run.fail($0) }
        let kept = TrackingRetention.kept(tracking.entries, plan: plan, stragglers: verdict.stragglers,
                                          failures: run.report.failures, scan: scan)
        if kept != tracking.entries || !tracking.problems.isEmpty {
            try project.store.write(kept)
        }
        return kept
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }
}

/// What every phase of one stop shares: the project, the options, the running account and where
/// its events go.
struct StopRun: Sendable {
    let project: Project
    let options: StopOptions
    let emit: @Sendable (ShutdownEvent) -> Void
    var report = ShutdownReport()

    /// Records and announces something the stop could not prove.
    mutating func fail(_ failure: StopFailure) {
        report.failures.append(failure)
        project.events.record("unproven", service: failure.service, outcome: "failed", detail: failure.detail)
        emit(.failure(failure))
    }

    /// Records the failures of a signal to `service`'s processes.
    mutating func fail(_ errors: [SystemCallError], service: String?) {
        for error in errors { fail(StopFailure(service: service, detail: "\(error)")) }
    }
}

extension Project {
    /// Like `resolveNames`, but a name still in the tracking files (a service removed from
    /// services.json while running) may be stopped too. `tracked` is what the caller already read
    /// of the tracking files, so they are not read twice.
    public func resolveNamesAllowingTracked(_ names: [String], tracked snapshot: TrackingStore.Snapshot? = nil)
        throws -> [String] {
        let tracked = Set((try snapshot ?? store.read()).entries.map(\.name))
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
