import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif

/// What a service is doing right now, as shown by `status`.
public enum ServiceState: String, Sendable {
    case running, paused, stopped, dead
}

/// One configured (or still tracked) service matched against a process table: its trusted leader,
/// its whole process tree and its state.
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
}

/// Decides which tracking entries to believe. An entry is trusted only when its PID is alive, owned
/// by the current user, not PID 1 nor devctl or an ancestor, has the recorded start time and
/// carries this project's marker: a tampered or stale file can never make devctl signal a stranger.
public struct ServiceInspector: Sendable {
    public let project: Project

    public init(project: Project) { self.project = project }

    /// The result of matching tracking entries against a process table.
    public struct Inspection: Sendable {
        public var services: [ServiceRuntime]
        /// One line per entry that was ignored, for the user ("ignoring tracking entry …").
        public var warnings: [String]
        /// Unreadable lines in the tracking files.
        public var problems: [String]

        public func runtime(_ name: String) -> ServiceRuntime? { services.first { $0.name == name } }
    }

    public func inspect(_ snapshot: TrackingStore.Snapshot, table: ProcessTable) -> Inspection {
        let protected = table.lineage(of: getpid())
        var warnings = [String]()
        var services = [ServiceRuntime]()
        var byName = [String: TrackedService]()
        for entry in snapshot.entries { byName[entry.name] = entry }

        for config in project.config.services {
            services.append(runtime(name: config.name, config: config, entry: byName.removeValue(forKey: config.name),
                                    table: table, protected: protected, warnings: &warnings))
        }
        // Entries of services no longer in services.json are still the project's to stop.
        for entry in snapshot.entries where byName[entry.name] != nil {
            services.append(runtime(name: entry.name, config: nil, entry: entry, table: table,
                                    protected: protected, warnings: &warnings))
        }
        // A leader the files do not name (its devctl was killed before recording it, or the files
        // were not trusted) is still the project's: recognised by its marker, it is not "stopped".
        let missing = Set(services.filter { $0.leader == nil }.map(\.name))
        if !missing.isEmpty {
            let found = UntrackedLeaders.find(marker: project.marker, names: missing, in: table, protected: protected)
            for index in services.indices {
                guard let leader = found[services[index].name] else { continue }
                services[index].leader = leader
                services[index].processes = table.tree(of: leader.identity)
                services[index].state = leader.isStopped ? .paused : .running
                services[index].note = nil
                warnings.append("\(services[index].name) (pid \(leader.pid)) is running; recognised by its "
                                + "\(Project.markerVariable) marker, not by the tracking files")
            }
        }
        return Inspection(services: services, warnings: warnings, problems: snapshot.problems)
    }

    private func runtime(name: String, config: ServiceConfig?, entry: TrackedService?, table: ProcessTable,
                         protected: Set<Int32>, warnings: inout [String]) -> ServiceRuntime {
        guard let entry else {
            return ServiceRuntime(name: name, config: config, tracked: nil, leader: nil, processes: [], state: .stopped)
        }
        switch verify(entry, table: table, protected: protected) {
        case .trusted(let leader):
            let processes = table.tree(of: leader.identity)
            let paused = leader.isStopped
            return ServiceRuntime(name: name, config: config, tracked: entry, leader: leader,
                                  processes: processes, state: paused ? .paused : .running)
        case .gone(let reason):
            return ServiceRuntime(name: name, config: config, tracked: entry, leader: nil, processes: [],
                                  state: .dead, note: reason)
        case .untrusted(let reason):
            warnings.append("ignoring tracking entry \(entry.name):\(entry.pid): \(reason)")
            return ServiceRuntime(name: name, config: config, tracked: entry, leader: nil, processes: [],
                                  state: .dead, note: reason)
        }
    }

    enum Verdict {
        case trusted(ProcessEntry)
        case gone(String)
        case untrusted(String)
    }

    func verify(_ entry: TrackedService, table: ProcessTable, protected: Set<Int32>) -> Verdict {
        if entry.pid == 1 { return .untrusted("PID 1 is never a service") }
        if protected.contains(entry.pid) { return .untrusted("PID \(entry.pid) is devctl itself or one of its parents") }
        guard let live = table[entry.pid], !live.isGone else { return .gone("exited") }
        if let start = entry.startTime, start != live.stat.startTime { return .untrusted("PID reused (start time differs)") }
        if live.uid != geteuid() { return .untrusted("PID \(entry.pid) belongs to another user (uid \(live.uid))") }
        if live.pgid != entry.pgid { return .untrusted("PID \(entry.pid) is no longer in process group \(entry.pgid)") }
        guard let environment = ProcessDetails.environment(of: entry.pid),
              environment[Project.markerVariable] == project.marker else {
            return .untrusted("PID \(entry.pid) was not started by this project (no \(Project.markerVariable) marker)")
        }
        // The project's, but another service's: believing it would let 'stop api' stop 'web'.
        if let service = environment[Project.serviceVariable], service != entry.name {
            return .untrusted("PID \(entry.pid) is service '\(service)', not '\(entry.name)'")
        }
        return .trusted(live)
    }
}
