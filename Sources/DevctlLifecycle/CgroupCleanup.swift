import DevctlProcesses
import DevctlSystem
import DevctlTracking

/// The end of a stop with containment: each stopped service's cgroup that is empty is removed,
/// then each project folder left with no service in it, and `.pids/cgroups` keeps only the
/// folders that remain. Only the project's own folders are ever touched.
enum CgroupCleanup {
    static func removeEmpty(of plan: ShutdownPlan, scan: ProjectScan, store: TrackingStore) -> [StopFailure] {
        guard let cgroups = scan.containment.cgroups else { return [] }
        var failures = [StopFailure]()
        let stopped = Set(plan.targets.map(\.name))
        for cgroup in scan.cgroups where stopped.contains(cgroup.service) && !cgroup.populated {
            do {
                try cgroup.folder.remove()
            } catch {
                failures.append(StopFailure(service: cgroup.service, detail: "cannot remove its cgroup: \(error)"))
            }
        }
        var remaining = [String]()
        for folder in cgroups.folders where folder.exists {
            guard folder.children().isEmpty else {
                remaining.append(folder.path)
                continue
            }
            do {
                try folder.remove()
            } catch {
                remaining.append(folder.path)
                failures.append(StopFailure(service: nil, detail: "cannot remove the project's cgroup folder: \(error)"))
            }
        }
        do {
            try CgroupRecord(store: store).write(remaining)
        } catch {
            failures.append(StopFailure(service: nil, detail: "cannot record the project's cgroups: \(error)"))
        }
        return failures
    }
}
