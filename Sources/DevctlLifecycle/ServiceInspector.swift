import DevctlConfig
import DevctlProcesses
import DevctlTracking

/// What a service is doing right now, as shown by `status`.
public enum ServiceState: String, Sendable {
    case running, paused, stopped, dead
    /// Waiting to run again under its `restart` policy.
    case restarting
    /// Its keeper gave up after `maxRestarts` quick restarts.
    case failed
    /// A oneshot that exited 0.
    case done

    /// Whether `status` counts it as fine (exit 0): running, paused, or a oneshot done.
    public var isUp: Bool { self == .running || self == .paused || self == .done }
}

/// One configured (or still tracked) service matched against a process snapshot: its trusted
/// leader, its whole process tree and its state.
public struct ServiceRuntime: Sendable {
    public var name: String
    public var config: ServiceConfig?
    /// The tracking entry, trusted or not.
    public var tracked: TrackedService?
    /// The live leader, only when the entry passed every identity check.
    public var leader: ProcessEntry?
    /// Leader, descendants, and the other members of its session and group; empty when not running.
    public var processes: [ProcessEntry]
    public var state: ServiceState
    /// Why the entry is dead or was ignored ("exited", "PID reused (start time differs)").
    public var note: String?
    /// Why devctl cannot tell whether the tracked process is still this service's (its `/proc`
    /// files could not be read): a stop must then keep the entry and fail.
    public var unproven: String?
    /// The service's cgroups (with containment), whatever runs in them.
    public var cgroups: [ServiceCgroup] = []
    /// What its keeper last recorded: exits, restarts, the supervision state.
    public var supervision: SupervisionRecord?
    /// Whether that keeper is alive (false: killed; its service runs unsupervised).
    public var supervised = false

    public init(name: String, config: ServiceConfig?, tracked: TrackedService?, leader: ProcessEntry?,
                processes: [ProcessEntry], state: ServiceState, note: String? = nil, unproven: String? = nil) {
        self.name = name
        self.config = config
        self.tracked = tracked
        self.leader = leader
        self.processes = processes
        self.state = state
        self.note = note
        self.unproven = unproven
    }
}

/// Decides, as a pure function of the configuration, the tracking files and one scan, which
/// tracking entries to believe and what each service is running. An entry is believed only when
/// its PID is alive with the recorded start time and process group, belongs to the current user,
/// and is neither PID 1 nor devctl or an ancestor: a tampered or stale file can never make devctl
/// signal a stranger. Leaders the files miss are recognised by their marker (`UntrackedLeaders`).
public struct ServiceInspector: Sendable {
    public let project: Project

    public init(project: Project) { self.project = project }

    /// The result of matching tracking entries against a snapshot.
    public struct Inspection: Sendable {
        public var services: [ServiceRuntime] {
            didSet { byName = Self.positions(of: services) }
        }
        /// One line per entry that was ignored, for the user ("ignoring tracking entry …").
        public var warnings: [String]
        /// Unreadable lines in the tracking files.
        public var problems: [String]
        /// Where each service is in `services` (the first, should a name repeat): plans look every
        /// service up by name, and a search each time made them quadratic in the services.
        private var byName: [String: Int]

        public init(services: [ServiceRuntime], warnings: [String], problems: [String]) {
            self.services = services
            self.warnings = warnings
            self.problems = problems
            byName = Self.positions(of: services)
        }

        public func runtime(_ name: String) -> ServiceRuntime? { byName[name].map { services[$0] } }

        private static func positions(of services: [ServiceRuntime]) -> [String: Int] {
            Dictionary(services.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    public func inspect(_ tracking: TrackingStore.Snapshot, scan: ProjectScan) -> Inspection {
        var warnings = [String]()
        var byName = [String: TrackedService]()
        for entry in tracking.entries { byName[entry.name] = entry }
        var services = project.config.services.map { config in
            runtime(name: config.name, config: config, entry: byName.removeValue(forKey: config.name), scan: scan,
                    warnings: &warnings)
        }
        // Entries of services no longer in services.json are still the project's to stop.
        for entry in tracking.entries where byName[entry.name] != nil {
            services.append(runtime(name: entry.name, config: nil, entry: entry, scan: scan, warnings: &warnings))
        }
        adoptUntrackedLeaders(into: &services, scan: scan, warnings: &warnings)
        for index in services.indices {
            Self.applyCgroups(to: &services[index], scan: scan)
            Self.applySupervision(to: &services[index], record: tracking.records[services[index].name], scan: scan)
        }
        return Inspection(services: services, warnings: warnings, problems: tracking.problems)
    }

    /// With containment the cgroup is the truth: its members are the service's processes, a
    /// frozen cgroup is paused, and a service whose leader is gone while its cgroup still holds
    /// processes (it daemonized itself: `pg_ctl start`, `redis-server --daemonize yes`) is
    /// running, led by its oldest remaining process.
    static func applyCgroups(to runtime: inout ServiceRuntime, scan: ProjectScan) {
        runtime.cgroups = scan.cgroups(of: runtime.name)
        let members = runtime.cgroups.flatMap(\.members).compactMap { scan.processes[$0] }
            .filter { !$0.isGone && $0.uid == scan.user && !scan.protected.contains($0.pid) }
        guard !members.isEmpty, runtime.unproven == nil else { return }
        adopt(members, into: &runtime)
        let frozen = runtime.cgroups.contains { $0.frozen }
        runtime.state = frozen || runtime.leader?.isStopped == true ? .paused : .running
    }

    /// Counts `members` among the service's processes and, when its leader is gone, makes the
    /// oldest of them its leader (a service that daemonized is led by what it left).
    private static func adopt(_ members: [ProcessEntry], into runtime: inout ServiceRuntime) {
        var byPID = Dictionary(runtime.processes.map { ($0.pid, $0) }, uniquingKeysWith: { first, _ in first })
        for member in members { byPID[member.pid] = member }
        runtime.processes = byPID.values.sorted { $0.pid < $1.pid }
        if runtime.leader == nil {
            runtime.leader = members.min { ($0.stat.startTime, $0.pid) < ($1.stat.startTime, $1.pid) }
            runtime.note = nil
        }
    }

    /// A tracked service that is not running is whatever its keeper last said: waiting to
    /// restart (while that keeper lives), given up, or a oneshot that is done; otherwise dead.
    ///
    /// A live keeper's descendants are its service's processes too (its orphans are reparented to
    /// it), whatever session, environment or title they took: so a daemon that left everything
    /// behind is still found without cgroups, and its service is `running`, led by its oldest.
    static func applySupervision(to runtime: inout ServiceRuntime, record: SupervisionRecord?, scan: ProjectScan) {
        guard runtime.tracked != nil, let record else { return }
        runtime.supervision = record
        let keeper = scan.processes[record.keeper.pid].flatMap {
            !$0.isGone && $0.stat.startTime == record.keeper.startTime && $0.uid == scan.user ? $0 : nil
        }
        runtime.supervised = keeper != nil
        if let keeper, runtime.unproven == nil {
            let family = scan.processes.descendants(of: keeper.pid)
                .filter { !$0.isGone && $0.uid == scan.user && !scan.protected.contains($0.pid) }
            if !family.isEmpty {
                let hadLeader = runtime.leader != nil
                adopt(family, into: &runtime)
                if !hadLeader, let leader = runtime.leader { runtime.state = leader.isStopped ? .paused : .running }
            }
        }
        guard runtime.state == .dead, runtime.unproven == nil else { return }
        if let exit = record.lastExit { runtime.note = exit.description }
        switch record.state {
        case .restarting where runtime.supervised: runtime.state = .restarting
        case .failed: runtime.state = .failed
        case .done: runtime.state = .done
        default: break
        }
    }

    /// A leader the files do not name (its devctl was killed before recording it, or the files
    /// were not trusted) is still the project's: recognised by its marker, it is not "stopped".
    private func adoptUntrackedLeaders(into services: inout [ServiceRuntime], scan: ProjectScan, warnings: inout [String]) {
        let missing = Set(services.filter { $0.leader == nil && $0.unproven == nil }.map(\.name))
        guard !missing.isEmpty else { return }
        let found = UntrackedLeaders.find(marker: project.marker, names: missing, in: scan)
        for index in services.indices {
            guard let leader = found[services[index].name] else { continue }
            services[index].leader = leader
            services[index].processes = scan.processes.tree(of: leader.identity)
            services[index].state = leader.isStopped ? .paused : .running
            services[index].note = nil
            warnings.append("\(services[index].name) (pid \(leader.pid)) is running; recognised by its "
                            + "\(Project.markerVariable) marker, not by the tracking files")
        }
    }

    private func runtime(name: String, config: ServiceConfig?, entry: TrackedService?, scan: ProjectScan,
                         warnings: inout [String]) -> ServiceRuntime {
        guard let entry else {
            return ServiceRuntime(name: name, config: config, tracked: nil, leader: nil, processes: [], state: .stopped)
        }
        switch TrackedEntryVerdict.judge(entry, marker: project.marker, scan: scan) {
        case .trusted(let leader):
            return ServiceRuntime(name: name, config: config, tracked: entry, leader: leader,
                                  processes: scan.processes.tree(of: leader.identity),
                                  state: leader.isStopped ? .paused : .running)
        case .gone(let reason):
            return ServiceRuntime(name: name, config: config, tracked: entry, leader: nil, processes: [],
                                  state: .dead, note: reason)
        case .untrusted(let reason):
            warnings.append("ignoring tracking entry \(entry.name):\(entry.pid): \(reason)")
            return ServiceRuntime(name: name, config: config, tracked: entry, leader: nil, processes: [],
                                  state: .dead, note: reason)
        case .unproven(let reason):
            warnings.append("cannot check tracking entry \(entry.name):\(entry.pid): \(reason)")
            return ServiceRuntime(name: name, config: config, tracked: entry, leader: nil, processes: [],
                                  state: .dead, note: reason, unproven: reason)
        }
    }
}
