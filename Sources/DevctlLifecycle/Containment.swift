import DevctlConfig
import DevctlProcesses

/// How a project's services are contained, and why: a cgroup per service where devctl may make
/// them, else the session, group, tree and marker rules. `status` and `stop` say which.
public enum Containment: Sendable, Equatable {
    case cgroup(ProjectCgroups)
    /// With the reason cgroups are not used.
    case session(reason: String)

    /// "cgroup" or "session", as `status --json` says it.
    public var name: String {
        switch self {
        case .cgroup: "cgroup"
        case .session: "session"
        }
    }

    public var cgroups: ProjectCgroups? {
        if case .cgroup(let cgroups) = self { return cgroups }
        return nil
    }

    /// The facts the choice is made from, gathered by `ContainmentProbe`.
    public struct Facts: Sendable, Equatable {
        public var hierarchy: CgroupHierarchy?
        /// devctl may create cgroups below its own and move processes into them.
        public var ownCgroupWritable: Bool
        /// systemd manages the cgroup tree (it is PID 1).
        public var systemdManaged: Bool
        /// devctl's own cgroup was delegated (systemd's `Delegate=yes`, marked by its xattr).
        public var delegated: Bool

        public init(hierarchy: CgroupHierarchy?, ownCgroupWritable: Bool, systemdManaged: Bool, delegated: Bool) {
            self.hierarchy = hierarchy
            self.ownCgroupWritable = ownCgroupWritable
            self.systemdManaged = systemdManaged
            self.delegated = delegated
        }
    }

    /// The containment for `mode`, pure: cgroups below devctl's own cgroup when it may write
    /// there and, under systemd, when that cgroup was delegated (systemd's rules: never write
    /// into a cgroup systemd manages for someone else — a terminal's scope is killed whole when
    /// the terminal closes). The project's cgroups sit in one folder named after its marker.
    public static func choose(_ mode: ContainmentMode, facts: Facts, marker: String, recorded: [String]) -> Containment {
        if mode == .session { return .session(reason: "services.json sets \"containment\": \"session\"") }
        guard let hierarchy = facts.hierarchy else { return .session(reason: "no cgroup v2 hierarchy is mounted") }
        let own = hierarchy.folder(of: hierarchy.ownCgroup)
        guard facts.ownCgroupWritable else {
            return .session(reason: "devctl may not create cgroups in its own cgroup \(hierarchy.ownCgroup) (not root, not delegated)")
        }
        if facts.systemdManaged && !facts.delegated && hierarchy.ownCgroup != "/" {
            return .session(reason: "its cgroup \(hierarchy.ownCgroup) belongs to systemd and is not delegated; "
                            + "run devctl inside 'systemd-run --user --scope -p Delegate=yes $SHELL'")
        }
        let name = ProjectCgroups.folderName(marker: marker)
        let home = CgroupFolder(path: own + "/" + name)
        // A recorded folder counts only if it is this project's by name and inside the hierarchy:
        // a planted record must not be able to aim the sweep at anybody else's cgroup.
        let trusted = recorded.filter { path in
            path != home.path && path.hasPrefix(hierarchy.mount + "/") && path.hasSuffix("/" + name) && !path.contains("/../")
        }
        let known = [home.path] + trusted
        return .cgroup(ProjectCgroups(hierarchy: hierarchy, home: home, folders: known.map(CgroupFolder.init(path:))))
    }
}

/// Where one project's cgroups are: the folder this devctl makes them in (`home`), and every
/// folder of the project known (other terminals' devctls may have made theirs elsewhere).
public struct ProjectCgroups: Sendable, Equatable {
    public var hierarchy: CgroupHierarchy
    public var home: CgroupFolder
    public var folders: [CgroupFolder]

    public init(hierarchy: CgroupHierarchy, home: CgroupFolder, folders: [CgroupFolder]) {
        self.hierarchy = hierarchy
        self.home = home
        self.folders = folders
    }

    /// `devctl-MARKER`: unique to the project root, and how a devctl that lost `.pids/` finds it.
    public static func folderName(marker: String) -> String { "devctl-" + marker }

    /// The cgroup a service started by this devctl joins.
    public func folder(forService name: String) -> CgroupFolder { home.child(name) }

    /// A folder's path as `/proc/PID/cgroup` names it.
    public func cgroupPath(of folder: CgroupFolder) -> String { hierarchy.cgroup(ofFolder: folder.path) }
}
