#if canImport(Glibc)
import Glibc
#endif

/// One snapshot of every process on the machine, read from `/proc` in a single pass. Status, stop
/// and the orphan sweep take their decisions on a snapshot rather than re-reading `/proc` per
/// process; a process that vanishes mid-scan is simply absent.
public struct ProcessTable: Sendable {
    public private(set) var entries: [Int32: ProcessEntry]
    private var childrenByParent: [Int32: [Int32]]
    /// Seconds since boot when the scan was taken (from `/proc/uptime`).
    public let uptime: Double

    public init(entries: [ProcessEntry], uptime: Double) {
        var byPID = [Int32: ProcessEntry](minimumCapacity: entries.count)
        var children = [Int32: [Int32]]()
        for entry in entries {
            byPID[entry.pid] = entry
            children[entry.ppid, default: []].append(entry.pid)
        }
        self.entries = byPID
        self.childrenByParent = children
        self.uptime = uptime
    }

    /// Reads `/proc` once. Command lines are read only for processes `wantsArguments` accepts
    /// (default: all), to keep scans of thousands of processes fast.
    public static func scan(procRoot: String = "/proc") -> ProcessTable {
        var entries = [ProcessEntry]()
        entries.reserveCapacity(512)
        if let directory = opendir(procRoot) {
            defer { closedir(directory) }
            while let item = readdir(directory) {
                let name = withUnsafeBytes(of: item.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                guard let first = name.utf8.first, first >= 48, first <= 57, let pid = Int32(name) else { continue }
                if let entry = readEntry(pid: pid, procRoot: procRoot) { entries.append(entry) }
            }
        }
        return ProcessTable(entries: entries, uptime: readUptime(procRoot: procRoot))
    }

    /// Reads a single process, or nil if it is gone or unreadable.
    public static func readEntry(pid: Int32, procRoot: String = "/proc") -> ProcessEntry? {
        let base = "\(procRoot)/\(pid)"
        guard let statBytes = FileSystem.readBytes("\(base)/stat"),
              let stat = ProcessStat.parse(statBytes) else { return nil }
        guard let uid = FileSystem.owner(of: base) else { return nil }
        let arguments = FileSystem.readBytes("\(base)/cmdline").map(Self.splitNulTerminated) ?? []
        return ProcessEntry(stat: stat, uid: uid, arguments: arguments)
    }

    /// Whether the process `identity` names is alive now (not a zombie, same start time).
    public static func isAlive(_ identity: ProcessIdentity) -> Bool {
        guard let bytes = FileSystem.readBytes("/proc/\(identity.pid)/stat"),
              let stat = ProcessStat.parse(bytes) else { return false }
        return stat.startTime == identity.startTime && stat.state != "Z" && stat.state != "X"
    }

    public subscript(pid: Int32) -> ProcessEntry? { entries[pid] }

    /// The live (non-zombie) process with this identity, if it still exists.
    public func live(_ identity: ProcessIdentity) -> ProcessEntry? {
        guard let entry = entries[identity.pid], entry.stat.startTime == identity.startTime, !entry.isGone else { return nil }
        return entry
    }

    public func children(of pid: Int32) -> [ProcessEntry] {
        (childrenByParent[pid] ?? []).compactMap { entries[$0] }
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
        var members = [root.pid: root]
        for entry in descendants(of: root.pid) { members[entry.pid] = entry }
        for entry in entries.values where entry.sid == root.pid || entry.pgid == root.pid {
            members[entry.pid] = entry
        }
        return members.values.filter { !$0.isGone }.sorted { $0.pid < $1.pid }
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

    private static func splitNulTerminated(_ bytes: [UInt8]) -> [String] {
        bytes.split(separator: 0, omittingEmptySubsequences: false)
            .dropLast(bytes.last == 0 ? 1 : 0)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    private static func readUptime(procRoot: String) -> Double {
        guard let text = FileSystem.readText("\(procRoot)/uptime"),
              let first = text.split(separator: " ").first else { return 0 }
        return Double(first) ?? 0
    }
}

/// Per-process facts that are read only on demand, because they are costly or only readable for
/// devctl's own processes: the environment (for the project marker) and the working directory.
public enum ProcessDetails {
    /// The environment of `pid` as KEY=VALUE pairs; nil when unreadable ("not ours").
    public static func environment(of pid: Int32) -> [String: String]? {
        guard let bytes = FileSystem.readBytes("/proc/\(pid)/environ") else { return nil }
        var result = [String: String]()
        for item in bytes.split(separator: 0) {
            guard let equals = item.firstIndex(of: UInt8(ascii: "=")) else { continue }
            result[String(decoding: item[item.startIndex..<equals], as: UTF8.self)] =
                String(decoding: item[(equals + 1)...], as: UTF8.self)
        }
        return result
    }

    /// Whether `pid`'s environment holds exactly `key=value`, scanning the raw bytes without
    /// building a dictionary (the orphan sweep asks this of every process).
    public static func environment(of pid: Int32, contains key: String, _ value: String) -> Bool {
        guard let bytes = FileSystem.readBytes("/proc/\(pid)/environ") else { return false }
        let needle = Array("\(key)=\(value)".utf8)
        return bytes.split(separator: 0).contains { $0.elementsEqual(needle) }
    }

    /// The current working directory of `pid`, or nil when unreadable.
    public static func workingDirectory(of pid: Int32) -> String? {
        FileSystem.readLink("/proc/\(pid)/cwd")
    }

    /// Clock ticks per second, for converting start times and CPU ticks.
    public static let clockTicksPerSecond: Double = Double(sysconf(Int32(_SC_CLK_TCK)))
    /// Bytes per page, for converting RSS.
    public static let pageSize: Int64 = Int64(sysconf(Int32(_SC_PAGESIZE)))
}
