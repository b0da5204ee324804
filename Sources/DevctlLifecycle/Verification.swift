import DevctlConfig
import DevctlProcesses
import DevctlTracking

/// Phase 5's verdict as a pure function of one scan: which processes of the project survived,
/// what could not be checked, and which health-check ports are still held — by the project (a
/// straggler) or by somebody else (a warning: not the project's to stop).
public struct Verification: Sendable {
    public var stragglers: [Straggler] = []
    public var failures: [StopFailure] = []
    public var foreignPortHolders: [ForeignPortHolder] = []

    public static func judge(plan: ShutdownPlan, ownership: Ownership, scan: ProjectScan,
                             portHolders: [Int: [PortHolder]]) -> Verification {
        var verdict = Verification()
        var found = Set<Int32>()
        for owned in ownership.claims(in: scan) {
            found.insert(owned.process.pid)
            verdict.stragglers.append(Straggler(pid: owned.process.pid, command: owned.process.commandLine,
                                                service: service(of: owned.process, plan: plan)))
        }
        for target in plan.targets {
            for process in target.processes {
                if let error = scan.processes.unreadable[process.pid] {
                    verdict.failures.append(StopFailure(service: target.name, detail: "cannot check pid \(process.pid): \(error)"))
                } else if let live = scan.processes.live(process.identity), found.insert(live.pid).inserted {
                    verdict.stragglers.append(Straggler(pid: live.pid, command: live.commandLine, service: target.name))
                }
            }
        }
        for target in plan.targets {
            for cgroup in scan.cgroups(of: target.name) where cgroup.populated && !cgroup.members.contains(where: found.contains) {
                verdict.stragglers.append(Straggler(pid: nil, command: "cgroup \(cgroup.folder.path) is not empty",
                                                    service: target.name))
            }
        }
        for (port, holders) in portHolders.sorted(by: { $0.key < $1.key }) {
            for holder in holders {
                let entry = holder.pid.flatMap { scan.processes[$0] }
                let isProjects = entry.map { ownership.claim(for: $0, in: scan) != nil || found.contains($0.pid) } ?? false
                if isProjects {
                    verdict.stragglers.append(Straggler(pid: holder.pid, command: holder.command ?? "?", service: "port \(port)"))
                } else {
                    verdict.foreignPortHolders.append(ForeignPortHolder(port: port, pid: holder.pid, command: holder.command ?? "?"))
                }
            }
        }
        return verdict
    }

    /// The service a surviving process belongs to: its `DEVCTL_SERVICE`, else the target whose
    /// session or group it is in.
    private static func service(of process: ProcessEntry, plan: ShutdownPlan) -> String? {
        if let name = process.environment[Project.serviceVariable] { return name }
        return plan.targets.first { target in
            target.group.map { $0 == process.sid || $0 == process.pgid } ?? false
        }?.name
    }
}

/// Which tracking entries a stop keeps: those of services it did not stop, and of every service
/// it could not prove gone — a survivor, an unchecked process, or any failure not tied to one
/// service — so a later stop can retry. Pure.
public enum TrackingRetention {
    public static func kept(_ entries: [TrackedService], plan: ShutdownPlan, stragglers: [Straggler],
                            failures: [StopFailure], scan: ProjectScan) -> [TrackedService] {
        let stopped = Dictionary(plan.targets.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let doubtful = Set(stragglers.compactMap(\.service) + failures.compactMap(\.service))
        let unattributed = failures.contains { $0.service == nil }
        return entries.filter { entry in
            guard let target = stopped[entry.name] else { return true }
            if unattributed || doubtful.contains(entry.name) || target.unproven != nil { return true }
            return target.leader.map { scan.processes.live($0) != nil } ?? false
        }
    }
}
