import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The three rules (SPEC §4) that make an untracked process the project's, and the guards that
/// make everything else untouchable: another user's process, devctl and its ancestors, PID 1.
public struct OrphanRules: Sendable {
    public let marker: String
    /// With names, only processes of these services qualify by marker.
    public let services: Set<String>?
    /// Sessions and groups of the trusted tracked services being stopped.
    public let trackedGroups: Set<Int32>
    public let patterns: [String]
    public let root: String

    public init(project: Project, plan: ShutdownPlan) {
        marker = project.marker
        services = plan.isFullStop ? nil : Set(plan.targets.map(\.name))
        trackedGroups = Set(plan.targets.compactMap(\.group))
        patterns = plan.isFullStop ? project.config.orphanPatterns : []
        root = project.config.root
    }

    /// A process found and why it qualifies.
    public struct Match: Sendable {
        public var process: ProcessEntry
        public var reason: String
    }

    /// Every live process of `table` that belongs to the project by one of the rules, with its
    /// command line (read here when the table was scanned without it).
    public func matches(in table: ProcessTable) -> [Match] {
        let protected = table.lineage(of: getpid())
        let uid = geteuid()
        let regexes = patterns.compactMap { try? NSRegularExpression(pattern: $0) }
        var result = [Match]()
        for var entry in table.entries.values.sorted(by: { $0.pid < $1.pid }) {
            guard entry.pid > 1, !entry.isGone, entry.uid == uid, !protected.contains(entry.pid) else { continue }
            if let reason = reason(for: &entry, regexes: regexes) {
                if entry.arguments.isEmpty { entry.arguments = ProcessDetails.arguments(of: entry.pid) }
                result.append(Match(process: entry, reason: reason))
            }
        }
        return result
    }

    private func reason(for entry: inout ProcessEntry, regexes: [NSRegularExpression]) -> String? {
        if trackedGroups.contains(entry.sid) { return "in the session of a tracked service (sid \(entry.sid))" }
        if trackedGroups.contains(entry.pgid) { return "in the process group of a tracked service (pgid \(entry.pgid))" }
        if let environment = ProcessDetails.environment(of: entry.pid, keys: [Project.markerVariable, Project.serviceVariable]),
           environment[Project.markerVariable] == marker,
           services == nil || services!.contains(environment[Project.serviceVariable] ?? "") {
            let service = environment[Project.serviceVariable].map { " (service \($0))" } ?? ""
            return "carries \(Project.markerVariable)=\(marker)\(service)"
        }
        guard !regexes.isEmpty else { return nil }
        if entry.arguments.isEmpty { entry.arguments = ProcessDetails.arguments(of: entry.pid) }
        let line = entry.commandLine
        let range = NSRange(line.startIndex..., in: line)
        guard let regex = regexes.first(where: { $0.firstMatch(in: line, range: range) != nil }) else { return nil }
        guard let cwd = ProcessDetails.workingDirectory(of: entry.pid), cwd == root || cwd.hasPrefix(root + "/") else {
            return nil
        }
        return "matches orphanPatterns '\(regex.pattern)' with cwd \(cwd)"
    }
}
