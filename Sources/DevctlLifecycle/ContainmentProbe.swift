import DevctlProcesses
import DevctlSystem
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif

/// Gathers what `Containment.choose` decides on — the cgroup2 mount, devctl's own cgroup and
/// whether it may write there, whether systemd manages the tree and delegated it — and finds the
/// project's cgroup folders: recorded in `.pids/cgroups`, or, when that record is lost, searched
/// for by name.
enum ContainmentProbe {
    static func resolve(for project: Project) throws -> Containment {
        let recorded = try CgroupRecord(store: project.store).read()
        let hierarchy = try CgroupHierarchy.current()
        var facts = Containment.Facts(hierarchy: hierarchy, ownCgroupWritable: false,
                                      systemdManaged: FileSystem.isDirectory("/run/systemd/system"), delegated: false)
        if let hierarchy {
            let own = hierarchy.folder(of: hierarchy.ownCgroup)
            facts.ownCgroupWritable = access(own, W_OK) == 0 && access(own + "/cgroup.procs", W_OK) == 0
            facts.delegated = CgroupFolder(path: own).isDelegated
        }
        var containment = Containment.choose(project.config.containment, facts: facts, marker: project.marker,
                                             recorded: recorded)
        if case .cgroup(var cgroups) = containment, recorded.isEmpty, let hierarchy {
            let found = search(hierarchy.mount, for: ProjectCgroups.folderName(marker: project.marker))
            cgroups.folders += found.filter { $0 != cgroups.home }
            containment = .cgroup(cgroups)
        }
        return containment
    }

    /// Every service cgroup of the project as it is now.
    static func serviceCgroups(_ containment: Containment) throws(SystemCallError) -> [ServiceCgroup] {
        guard let cgroups = containment.cgroups else { return [] }
        var result = [ServiceCgroup]()
        for folder in cgroups.folders where folder.exists {
            for name in folder.children() {
                let service = folder.child(name)
                let events = try service.events() ?? CgroupFolder.Events(populated: false, frozen: false)
                result.append(ServiceCgroup(service: name, folder: service, members: try service.members(),
                                            populated: events.populated, frozen: events.frozen))
            }
        }
        return result
    }

    /// Folders named `name` anywhere below `root`, looked for breadth first and bounded, since a
    /// project's cgroups may sit under any terminal's cgroup.
    private static func search(_ root: String, for name: String) -> [CgroupFolder] {
        var found = [CgroupFolder]()
        var queue = [root]
        var visited = 0
        while !queue.isEmpty, visited < 20_000 {
            let folder = queue.removeFirst()
            visited += 1
            for child in FileSystem.subdirectories(folder) {
                if child == name { found.append(CgroupFolder(path: folder + "/" + child)) } else { queue.append(folder + "/" + child) }
            }
        }
        return found
    }
}

/// One service's cgroup as read in one look: the kernel's word on what is the service's.
public struct ServiceCgroup: Sendable, Equatable {
    public var service: String
    public var folder: CgroupFolder
    public var members: [Int32]
    public var populated: Bool
    public var frozen: Bool

    public init(service: String, folder: CgroupFolder, members: [Int32], populated: Bool, frozen: Bool) {
        self.service = service
        self.folder = folder
        self.members = members
        self.populated = populated
        self.frozen = frozen
    }
}
