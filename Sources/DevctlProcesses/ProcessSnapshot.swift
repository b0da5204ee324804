import DevctlSystem
#if canImport(Glibc)
import Glibc
#endif

/// One snapshot of every process on the machine, read from `/proc` in a single pass. Status, stop
/// and the orphan sweep take their decisions on a snapshot rather than re-reading `/proc` per
/// process. A process that exits mid-scan is simply absent; one whose files cannot be read for
/// another reason is listed in `unreadable`, because it proves nothing either way.
public struct ProcessSnapshot: Sendable {
    public private(set) var entries: [Int32: ProcessEntry]
    private var childrenByParent: [Int32: [Int32]]
    /// The PIDs in each session and in each process group, by its id: every service asks for its
    /// own, and searching the whole snapshot each time made status and stop quadratic.
    private var sessionMembers: [Int32: [Int32]]
    /// Seconds since boot when the scan was taken (from `/proc/uptime`).
    public let uptime: Double
    /// Processes listed in `/proc` whose stat or status could not be read, with why.
    public let unreadable: [Int32: SystemCallError]

    public init(entries: [ProcessEntry], uptime: Double, unreadable: [Int32: SystemCallError] = [:]) {
        var byPID = [Int32: ProcessEntry](minimumCapacity: entries.count)
        var children = [Int32: [Int32]]()
        var sessions = [Int32: [Int32]]()
        for entry in entries {
            byPID[entry.pid] = entry
            children[entry.ppid, default: []].append(entry.pid)
            sessions[entry.sid, default: []].append(entry.pid)
            if entry.pgid != entry.sid { sessions[entry.pgid, default: []].append(entry.pid) }
        }
        self.entries = byPID
        self.childrenByParent = children
        self.sessionMembers = sessions
        self.uptime = uptime
        self.unreadable = unreadable
    }

    /// Reads `/proc` once; `details` says what to read beyond the stat and the real uid, and of
    /// whose processes. Throws when `/proc` itself cannot be read: an empty answer would read as
    /// "nothing is running".
    public static func scan(procRoot: String = "/proc", details: ProcessDetailRequest = .none) throws(SystemCallError) -> ProcessSnapshot {
        let reader = try ProcReader(root: procRoot)
        var entries = [ProcessEntry]()
        entries.reserveCapacity(512)
        var unreadable = [Int32: SystemCallError]()
        var listed = Set<Int32>()
        var pending = try reader.pids()
        // A process forked while the entries are read is not in the listing taken before; with
        // `followsNewcomers` the listing is taken again until it holds nothing new (bounded), so
        // a child that forks and lets its parent exit over and over cannot fall between the two.
        for round in 0..<(details.followsNewcomers ? 4 : 1) {
            if round > 0 { pending = try reader.pids().filter { !listed.contains($0) } }
            if pending.isEmpty { break }
            for pid in pending {
                listed.insert(pid)
                do {
                    if let entry = try reader.entry(pid: pid, details: details) { entries.append(entry) }
                } catch {
                    unreadable[pid] = error
                }
            }
        }
        return ProcessSnapshot(entries: entries, uptime: try reader.uptime(), unreadable: unreadable)
    }

    /// Reads a single process with every detail; nil when it is gone.
    public static func readEntry(pid: Int32, procRoot: String = "/proc") throws(SystemCallError) -> ProcessEntry? {
        try ProcReader(root: procRoot).entry(pid: pid, details: .everything)
    }

    /// The command line of `pid` as a user would type it, read now: for naming the few processes a
    /// decision picked from a scan that did not read every command line. Nil when it is gone.
    public static func commandLine(of pid: Int32, procRoot: String = "/proc") throws(SystemCallError) -> String? {
        try ProcReader(root: procRoot).arguments(pid: pid).map { $0.joined(separator: " ") }
    }

    /// Whether the process `identity` names is alive now (not a zombie, same start time); a
    /// failed read is thrown, never taken for "gone".
    public static func isAlive(_ identity: ProcessIdentity) throws(SystemCallError) -> Bool {
        try ProcessStat.live(identity) != nil
    }

    public subscript(pid: Int32) -> ProcessEntry? { entries[pid] }

    /// The live (non-zombie) process with this identity, if it still exists.
    public func live(_ identity: ProcessIdentity) -> ProcessEntry? {
        guard let entry = entries[identity.pid], entry.stat.startTime == identity.startTime, !entry.isGone else { return nil }
        return entry
    }

    /// Every descendant of `pid` (children, grandchildren, …), found by parent links.
    public func descendants(of pid: Int32) -> [ProcessEntry] {
        var result = [ProcessEntry]()
        var queue = childrenByParent[pid] ?? []
        var seen = Set<Int32>()
        while let next = queue.popLast() {
            guard seen.insert(next).inserted, let entry = entries[next] else { continue }
            result.append(entry)
            queue.append(contentsOf: childrenByParent[next] ?? [])
        }
        return result
    }

    /// A service's whole tree: the leader, its descendants, and every other member of its session
    /// or process group (which catches a grandchild reparented to PID 1 that did not call setsid).
    /// Zombies are excluded: they are already gone.
    public func tree(of leader: ProcessIdentity) -> [ProcessEntry] {
        guard let root = live(leader) else { return [] }
        var tree = [root.pid: root]
        for entry in descendants(of: root.pid) { tree[entry.pid] = entry }
        for entry in members(ofSession: root.pid) { tree[entry.pid] = entry }
        return tree.values.filter { !$0.isGone }.sorted { $0.pid < $1.pid }
    }

    /// The live processes in session `id` or process group `id`, whoever leads them now.
    public func members(ofSession id: Int32) -> [ProcessEntry] {
        (sessionMembers[id] ?? []).compactMap { entries[$0] }.filter { !$0.isGone }
    }

    /// The ancestors of `pid` up to PID 1, inclusive of `pid` itself.
    public func lineage(of pid: Int32) -> Set<Int32> {
        var result = Set<Int32>()
        var current = pid
        while current > 0, result.insert(current).inserted, let entry = entries[current] {
            current = entry.ppid
        }
        return result
    }
}

/// What a scan reads beyond each process's stat and real uid. Reading an environment or a
/// working directory costs as much as the rest of the entry and is possible only for the user's
/// own processes, so each is asked for only where a decision needs it.
public struct ProcessDetailRequest: Sendable {
    public var arguments: Bool
    /// The environment variables to extract (none: the environment is not read).
    public var environmentKeys: [String]
    public var workingDirectory: Bool
    /// Whose processes get the details; nil for everyone's.
    public var owner: UInt32?
    /// Processes born during the scan are read too (see `scan`): for sweeps that must not miss a
    /// process that keeps forking.
    public var followsNewcomers = false
    /// Only session leaders (PID = SID = PGID, as devctl spawns services) and the processes in
    /// `alsoFor` get the details.
    public var onlySessionLeaders = false
    public var alsoFor: Set<Int32> = []

    public init(arguments: Bool = false, environmentKeys: [String] = [], workingDirectory: Bool = false, owner: UInt32? = nil) {
        self.arguments = arguments
        self.environmentKeys = environmentKeys
        self.workingDirectory = workingDirectory
        self.owner = owner
    }

    public static let none = ProcessDetailRequest()
    /// Command lines of everyone's processes (a port holder, a listing for people).
    public static let everything = ProcessDetailRequest(arguments: true, workingDirectory: true)
}
