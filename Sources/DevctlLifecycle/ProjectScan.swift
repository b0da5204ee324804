import DevctlProcesses
import DevctlSystem
#if canImport(Glibc)
import Glibc
#endif

/// The one way Lifecycle reads `/proc`: a `ProcessSnapshot` with just the details this project's
/// decisions need, plus who is asking (the user, and devctl with its ancestors, which no rule may
/// ever claim). The decisions themselves are pure functions of what this returns.
public struct ProjectScan: Sendable {
    public var processes: ProcessSnapshot
    /// The effective uid of this devctl: only that user's processes can be the project's.
    public var user: UInt32
    /// devctl itself and its ancestors up to PID 1.
    public var protected: Set<Int32>
    /// How the project's services are contained.
    public var containment: Containment
    /// With cgroups: every service cgroup of the project, read just after the processes.
    public var cgroups: [ServiceCgroup] {
        didSet { (cgroupsByService, cgroupsByMember) = Self.cgroupIndexes(of: cgroups) }
    }

    // Every service asks for its cgroups, and every process for the cgroup holding it: searching
    // all of them each time made status and stop quadratic in the services, so they are indexed
    // once (the snapshot indexes sessions and groups itself).
    /// Positions in `cgroups`, by service and by member PID, in `cgroups` order.
    private var cgroupsByService: [String: [Int]]
    private var cgroupsByMember: [Int32: [Int]]

    public init(processes: ProcessSnapshot, user: UInt32, protected: Set<Int32>,
                containment: Containment = .session(reason: "not asked"), cgroups: [ServiceCgroup] = []) {
        self.processes = processes
        self.user = user
        self.protected = protected
        self.containment = containment
        self.cgroups = cgroups
        (cgroupsByService, cgroupsByMember) = Self.cgroupIndexes(of: cgroups)
    }

    /// The service cgroups of `service`, in every project folder.
    public func cgroups(of service: String) -> [ServiceCgroup] { (cgroupsByService[service] ?? []).map { cgroups[$0] } }

    /// The service cgroups `pid` is a member of, in `cgroups` order.
    public func cgroups(holding pid: Int32) -> [ServiceCgroup] { (cgroupsByMember[pid] ?? []).map { cgroups[$0] } }

    private static func cgroupIndexes(of cgroups: [ServiceCgroup]) -> ([String: [Int]], [Int32: [Int]]) {
        var byService = [String: [Int]](), byMember = [Int32: [Int]]()
        for (index, cgroup) in cgroups.enumerated() {
            byService[cgroup.service, default: []].append(index)
            for pid in Set(cgroup.members) { byMember[pid, default: []].append(index) }
        }
        return (byService, byMember)
    }

    /// What to read: the marker variables of the user's processes (of every one for the orphan
    /// sweep; of session leaders and tracked leaders otherwise), and for the sweep by pattern their
    /// command lines and working directories too. The few processes a sweep claims are named
    /// afterwards (`ProcessNames`).
    public enum Purpose: Sendable {
        /// status, start, pause: the `tracked` leaders, and leaders the files miss.
        case services(tracked: Set<Int32>)
        /// the orphan sweep and verification; `patterns` when `orphanPatterns` are in play.
        case sweep(patterns: Bool)
    }

    /// Scans `/proc` once for `purpose`, and the project's cgroups; throws when either cannot be
    /// read. A command that scans again (the phases of a stop) passes the `containment` its first
    /// scan found, rather than reading mountinfo and `.pids/cgroups` — or searching — once more.
    public static func take(_ purpose: Purpose, for project: Project, containment known: Containment? = nil) throws -> ProjectScan {
        let user = geteuid()
        var request = ProcessDetailRequest(environmentKeys: [Project.markerVariable, Project.serviceVariable], owner: user)
        switch purpose {
        case .services(let tracked):
            request.onlySessionLeaders = true
            request.alsoFor = tracked
        case .sweep(let patterns):
            request.arguments = patterns
            request.workingDirectory = patterns
            request.followsNewcomers = true
        }
        let containment = try known ?? ContainmentProbe.resolve(for: project)
        let processes = try ProcessSnapshot.scan(details: request)
        return ProjectScan(processes: processes, user: user, protected: processes.lineage(of: getpid()),
                           containment: containment, cgroups: try ContainmentProbe.serviceCgroups(containment))
    }
}
