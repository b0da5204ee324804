import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation
import Synchronization

/// One row of `status`: what a user checks about a service at a glance.
public struct ServiceStatus: Sendable {
    public var name: String
    public var state: ServiceState
    public var pid: Int32?
    public var pgid: Int32?
    public var uptimeSeconds: Double?
    public var cpuPercent: Double?
    public var rssBytes: Int64?
    public var processes: Int
    /// The live probe's answer; nil without a health check or when not running.
    public var health: ProbeResult?
    public var command: String
    /// Why a service is dead.
    public var note: String?
    /// Its cgroup as `/proc/PID/cgroup` names it, with containment.
    public var cgroup: String? = nil
    /// The last exit its keeper saw, restarts since the last `start`, and when a `restarting`
    /// service runs again (milliseconds since the epoch).
    public var exit: SupervisionRecord.Exit? = nil
    public var restarts: Int? = nil
    public var restartAt: Int64? = nil
    /// False when its keeper is gone (killed): the service runs unsupervised. Nil without a keeper record.
    public var supervised: Bool? = nil
}

/// The whole `status` answer: services in configuration order, containers, and warnings about
/// tracking entries that were not believed.
public struct StatusReport: Sendable {
    public var project: String
    public var services: [ServiceStatus]
    public var containers: [ContainerState]
    public var containerNote: String?
    public var warnings: [String]
    /// How the services are contained.
    public var containment: Containment = .session(reason: "not asked")

    /// Exit 3 when a configured service is not running (paused counts as running, and a oneshot
    /// that is done as fine).
    public var allRunning: Bool { services.allSatisfy { $0.state.isUp } }
}

/// Builds a `StatusReport` from one `/proc` scan, probing health checks of running services
/// concurrently with a short bound so `status` stays fast. Never takes the lock.
public struct StatusCollector: Sendable {
    public let project: Project
    public let launcher: ServiceLauncher
    public var probeTimeout: Double = 1

    public init(project: Project, launcher: ServiceLauncher) {
        self.project = project
        self.launcher = launcher
    }

    public func collect(names: [String]) throws -> StatusReport {
        let selected = try project.resolveNames(names)
        let tracking = try project.store.readTrusted()
        let scan = try ProjectScan.take(.services(tracked: Set(tracking.entries.map(\.pid))), for: project)
        var inspection = ServiceInspector(project: project).inspect(tracking, scan: scan)
        // A run that ended a moment ago, while the record read before the scan still shows it: its
        // keeper writes down how within milliseconds (and may have left already), so that record is
        // read again and the row says `dead (exit 3)` or `restarting`, not a bare `dead`. Only the
        // record: a second scan could find another service ending just the same.
        for index in inspection.services.indices where Self.isEnding(inspection.services[index]) {
            if let record = awaitRecord(of: inspection.services[index]) {
                ServiceInspector.applySupervision(to: &inspection.services[index], record: record, scan: scan)
            }
        }
        let runtimes = selected.compactMap { inspection.runtime($0) }
        let healths = Mutex([String: ProbeResult]())
        let checks = HealthCheckRunner(launcher: launcher), timeout = probeTimeout
        Concurrently.forEach(runtimes.count) { index in
            let runtime = runtimes[index]
            guard runtime.state == .running, let config = runtime.config, let check = config.healthcheck else { return }
            let health = checks.probe(config, timeout: min(timeout, check.timeout))
            healths.withLock { $0[runtime.name] = health }
        }
        let health = healths.withLock { $0 }
        let services = runtimes.map { runtime in
            var status = Self.status(of: runtime, snapshot: scan.processes, health: health[runtime.name])
            let folder = runtime.cgroups.first(where: \.populated)?.folder ?? scan.containment.cgroups?.folder(forService: runtime.name)
            if status.pid != nil, let cgroups = scan.containment.cgroups, let folder { status.cgroup = cgroups.cgroupPath(of: folder) }
            if let record = runtime.supervision {
                status.exit = record.lastExit
                status.restarts = record.restarts
                status.restartAt = runtime.state == .restarting ? record.restartAt : nil
                status.supervised = runtime.supervised
                // The state says how it ended ("dead (exit 3, 12 s ago)"); no need to say it twice.
                if status.pid == nil, record.lastExit != nil { status.note = nil }
            }
            return status
        }
        var report = StatusReport(project: project.config.project, services: services, containers: [],
                                  containerNote: nil, warnings: inspection.problems + inspection.warnings)
        report.containment = scan.containment
        return report
    }

    /// Gone, while the record read before the scan still shows its run.
    static func isEnding(_ runtime: ServiceRuntime) -> Bool {
        runtime.state == .dead && runtime.supervision?.state == .running && runtime.supervision?.daemonized == false
    }

    /// The record of an ending service once its keeper has written how the run ended: at once if
    /// it already has, else waited for (half a second at most: a keeper records an end within
    /// milliseconds) while that keeper lives; nil when nothing changed.
    private func awaitRecord(of runtime: ServiceRuntime) -> SupervisionRecord? {
        guard let before = runtime.supervision else { return nil }
        let deadline = ContinuousClock.now + .milliseconds(500)
        var backoff = Backoff(maximum: 0.02)
        while true {
            if let now = project.store.supervision(of: runtime.name), now != before { return now }
            // A keeper that is gone writes nothing more.
            guard ProcessStat.mayBeAlive(before.keeper), ContinuousClock.now < deadline else { return nil }
            backoff.pause()
        }
    }

    static func status(of runtime: ServiceRuntime, snapshot: ProcessSnapshot, health: ProbeResult?) -> ServiceStatus {
        let command = runtime.config?.command.displayString ?? "(not in services.json)"
        guard let leader = runtime.leader else {
            return ServiceStatus(name: runtime.name, state: runtime.state, pid: nil, pgid: nil, uptimeSeconds: nil,
                                 cpuPercent: nil, rssBytes: nil, processes: 0, health: nil, command: command,
                                 note: runtime.note)
        }
        let ticks = ProcUnits.clockTicksPerSecond
        let uptime = max(0, snapshot.uptime - Double(leader.stat.startTime) / ticks)
        let cpuSeconds = runtime.processes.reduce(0.0) { $0 + Double($1.stat.cpuTicks) / ticks }
        let rss = runtime.processes.reduce(Int64(0)) { $0 + $1.stat.rssPages * ProcUnits.pageSize }
        return ServiceStatus(name: runtime.name, state: runtime.state, pid: leader.pid, pgid: leader.pgid,
                             uptimeSeconds: uptime, cpuPercent: uptime > 0 ? cpuSeconds / uptime * 100 : 0,
                             rssBytes: rss, processes: runtime.processes.count, health: health, command: command)
    }
}
