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

    public init(processes: ProcessSnapshot, user: UInt32, protected: Set<Int32>) {
        self.processes = processes
        self.user = user
        self.protected = protected
    }

    /// What to read: the marker variables of the user's processes (of every one for the orphan
    /// sweep, which also names them by command line; of session leaders and tracked leaders
    /// otherwise), and for the sweep by pattern their working directories too.
    public enum Purpose: Sendable {
        /// status, start, pause: the `tracked` leaders, and leaders the files miss.
        case services(tracked: Set<Int32>)
        /// the orphan sweep and verification; `patterns` when `orphanPatterns` are in play.
        case sweep(patterns: Bool)
    }

    /// Scans `/proc` once for `purpose`; throws when `/proc` cannot be read.
    public static func take(_ purpose: Purpose) throws(SystemCallError) -> ProjectScan {
        let user = geteuid()
        var request = ProcessDetailRequest(environmentKeys: [Project.markerVariable, Project.serviceVariable], owner: user)
        switch purpose {
        case .services(let tracked):
            request.onlySessionLeaders = true
            request.alsoFor = tracked
        case .sweep(let patterns):
            request.arguments = true
            request.workingDirectory = patterns
        }
        let processes = try ProcessSnapshot.scan(details: request)
        return ProjectScan(processes: processes, user: user, protected: processes.lineage(of: getpid()))
    }
}
