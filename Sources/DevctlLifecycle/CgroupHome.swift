import DevctlProcesses
import DevctlSystem
import DevctlTracking

/// "containment": "cgroup" was asked for, and cannot be had here (exit 1, saying why).
public struct ContainmentUnavailable: Error, Sendable, CustomStringConvertible {
    public var reason: String

    public var description: String {
        "services.json requires \"containment\": \"cgroup\", but \(reason); "
            + "use \"auto\" to fall back to sessions"
    }
}

/// Makes the folder this devctl puts the project's cgroups in, and records it in
/// `.pids/cgroups` before any service joins it, so it is never unknown to a later devctl.
enum CgroupHome {
    static func prepare(_ containment: Containment, store: TrackingStore) throws {
        guard let cgroups = containment.cgroups else { return }
        try cgroups.home.create()
        let record = CgroupRecord(store: store)
        let recorded = try record.read()
        if !recorded.contains(cgroups.home.path) { try record.write(recorded + [cgroups.home.path]) }
    }
}
