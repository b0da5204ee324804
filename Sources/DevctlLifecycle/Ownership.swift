import DevctlConfig
import DevctlProcesses
import Foundation

/// Why a process the tracking files do not name belongs to the project (SPEC §4, rules a–d).
public enum OwnershipClaim: Sendable, Equatable, CustomStringConvertible {
    /// (a) It carries this project's `DEVCTL_PROJECT` (and, when known, a `DEVCTL_SERVICE`).
    case marker(String, service: String?)
    /// (b) It is in the session of a tracked service, whether or not its leader still lives.
    case trackedSession(Int32)
    /// (b) It is in the process group of a tracked service.
    case trackedGroup(Int32)
    /// (c) It matches an `orphanPatterns` entry, runs inside the project root, has no terminal.
    case pattern(String, workingDirectory: String)
    /// (d) It is in a cgroup of the project: the kernel says so.
    case cgroup(String)
    /// (e) It descends from the live keeper of a service being stopped: reparented to it as the
    /// service's orphan, whatever session, environment or title it took since.
    case keeper(service: String, pid: Int32)

    public var description: String {
        switch self {
        case .marker(let marker, let service):
            "carries \(Project.markerVariable)=\(marker)\(service.map { " (service \($0))" } ?? "")"
        case .trackedSession(let sid): "in the session of a tracked service (sid \(sid))"
        case .trackedGroup(let pgid): "in the process group of a tracked service (pgid \(pgid))"
        case .pattern(let pattern, let cwd): "matches orphanPatterns '\(pattern)' with cwd \(cwd)"
        case .cgroup(let path): "in the project's cgroup \(path)"
        case .keeper(let service, let pid): "descends from the keeper of \(service) (pid \(pid))"
        }
    }
}

/// A process the rules give to the project, and the rule that did.
public struct OwnedProcess: Sendable {
    public var process: ProcessEntry
    public var claim: OwnershipClaim
}

/// The rules that make an untracked process the project's, and the guards that make everything
/// else untouchable: another user's process, another project's, devctl and its ancestors, PID 1.
/// A pure function of one scan: the scan must carry the marker variables of the user's processes
/// and, when there are patterns, their command lines and working directories.
public struct Ownership {
    public let marker: String
    /// With names, only processes of these services qualify by marker.
    public let services: Set<String>?
    /// Sessions and process groups of the tracked services being stopped (rule b).
    public let trackedSessions: Set<Int32>
    public let patterns: [NSRegularExpression]
    /// The project root, canonical.
    public let root: String
    /// The live keepers of the services being stopped, by PID (rule e).
    public let keepers: [Int32: String]

    public init(marker: String, services: Set<String>?, trackedSessions: Set<Int32>, patterns: [String], root: String,
                keepers: [Int32: String] = [:]) {
        self.keepers = keepers
        self.marker = marker
        self.services = services
        self.trackedSessions = trackedSessions
        // services.json was validated, so every pattern compiles.
        self.patterns = patterns.compactMap { try? NSRegularExpression(pattern: $0) }
        self.root = root
    }

    /// The rules for a stop: patterns only on a full stop, markers of the named services only.
    public init(project: Project, plan: ShutdownPlan) {
        self.init(marker: project.marker, services: plan.isFullStop ? nil : Set(plan.targets.map(\.name)),
                  trackedSessions: plan.trackedSessions,
                  patterns: plan.isFullStop ? project.config.orphanPatterns : [], root: project.config.root,
                  keepers: plan.keepers)
    }

    /// Every live process of the scan that belongs to the project, in PID order.
    public func claims(in scan: ProjectScan) -> [OwnedProcess] {
        scan.processes.entries.values.sorted { $0.pid < $1.pid }.compactMap { entry in
            claim(for: entry, in: scan).map { OwnedProcess(process: entry, claim: $0) }
        }
    }

    /// The rule that makes `entry` the project's, or nil.
    public func claim(for entry: ProcessEntry, in scan: ProjectScan) -> OwnershipClaim? {
        guard entry.pid > 1, !entry.isGone, entry.uid == scan.user, !scan.protected.contains(entry.pid) else { return nil }
        if let cgroup = scan.cgroups(holding: entry.pid).first(where: { services?.contains($0.service) ?? true }) {
            return .cgroup(scan.containment.cgroups?.cgroupPath(of: cgroup.folder) ?? cgroup.folder.path)
        }
        if trackedSessions.contains(entry.sid) { return .trackedSession(entry.sid) }
        if trackedSessions.contains(entry.pgid) { return .trackedGroup(entry.pgid) }
        if let claim = keeperClaim(for: entry, in: scan) { return claim }
        let project = entry.environment[Project.markerVariable]
        let service = entry.environment[Project.serviceVariable]
        if project == marker, services.map({ $0.contains(service ?? "") }) ?? true {
            return .marker(marker, service: service)
        }
        return patternClaim(for: entry, project: project)
    }

    /// Rule (e): an ancestor of `entry` (a few dozen generations at most) is a keeper being stopped.
    private func keeperClaim(for entry: ProcessEntry, in scan: ProjectScan) -> OwnershipClaim? {
        guard !keepers.isEmpty else { return nil }
        var parent = entry.stat.ppid
        for _ in 0..<64 where parent > 1 {
            if let service = keepers[parent] { return .keeper(service: service, pid: parent) }
            guard let next = scan.processes[parent] else { return nil }
            parent = next.stat.ppid
        }
        return nil
    }

    /// Rule (c): never a process at a terminal (a person's `tail -f vitest.config.ts`), never one
    /// with another project's marker, never one whose environment could not be read to say so.
    private func patternClaim(for entry: ProcessEntry, project: String?) -> OwnershipClaim? {
        guard !patterns.isEmpty, !entry.hasTerminal, case .values = entry.environment,
              project == nil || project == marker,
              let cwd = entry.workingDirectory, cwd == root || cwd.hasPrefix(root == "/" ? "/" : root + "/") else { return nil }
        let line = entry.commandLine
        let range = NSRange(line.startIndex..., in: line)
        guard let regex = patterns.first(where: { $0.firstMatch(in: line, range: range) != nil }) else { return nil }
        return .pattern(regex.pattern, workingDirectory: cwd)
    }
}
