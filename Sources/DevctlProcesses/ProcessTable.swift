import DevctlSystem
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

    /// Reads `/proc` once. Command lines only `withArguments`: reading one costs as much as the rest
    /// of the entry and no decision needs them (the orphan sweep reads those of its candidates
    /// itself), which keeps scans of thousands of processes fast.
    public static func scan(procRoot: String = "/proc", withArguments: Bool = false) -> ProcessTable {
        var entries = [ProcessEntry]()
        entries.reserveCapacity(512)
        if let directory = opendir(procRoot) {
            defer { closedir(directory) }
            let root = dirfd(directory)
            while let item = readdir(directory) {
                guard let pid = withUnsafeBytes(of: item.pointee.d_name, Self.pid(named:)),
                      let entry = readEntry(pid: pid, relativeTo: root, withArguments: withArguments) else { continue }
                entries.append(entry)
            }
        }
        return ProcessTable(entries: entries, uptime: readUptime(procRoot: procRoot))
    }

    /// Reads a single process, or nil if it is gone or unreadable.
    public static func readEntry(pid: Int32, procRoot: String = "/proc") -> ProcessEntry? {
        let root = open(procRoot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0 else { return nil }
        defer { close(root) }
        return readEntry(pid: pid, relativeTo: root, withArguments: true)
    }

    /// One process, its files opened relative to the open `/proc` directory `root`.
    private static func readEntry(pid: Int32, relativeTo root: Int32, withArguments: Bool) -> ProcessEntry? {
        let fd = openat(root, "\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // Every file under /proc/PID is owned by the process's uid, like the folder itself.
        var info = Glibc.stat()
        guard fstat(fd, &info) == 0, let stat = FileSystem.withContents(of: fd, ProcessStat.parse) else { return nil }
        let arguments = withArguments ? readArguments(pid: pid, relativeTo: root) : []
        return ProcessEntry(stat: stat, uid: info.st_uid, arguments: arguments)
    }

    private static func readArguments(pid: Int32, relativeTo root: Int32) -> [String] {
        let fd = openat(root, "\(pid)/cmdline", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        return FileSystem.readBytes(fd: fd).map(splitNulTerminated) ?? []
    }

    /// The PID a `/proc` entry names (all digits), or nil for the entries that are not processes.
    private static func pid(named name: UnsafeRawBufferPointer) -> Int32? {
        var pid: Int32 = 0
        var digits = 0
        for byte in name {
            if byte == 0 { break }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 9 else { return nil }
            pid = pid * 10 + Int32(byte - UInt8(ascii: "0"))
            digits += 1
        }
        return digits > 0 ? pid : nil
    }

    /// Whether the process `identity` names is alive now (not a zombie, same start time).
    public static func isAlive(_ identity: ProcessIdentity) -> Bool {
        ProcessStat.live(identity) != nil
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

    static func splitNulTerminated(_ bytes: [UInt8]) -> [String] {
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

    /// The values of `keys` in `pid`'s environment (absent keys left out), read once and searched
    /// as raw bytes; nil when unreadable ("not ours"). The orphan sweep asks this of every process
    /// of the user, so it builds no dictionary of the whole environment.
    public static func environment(of pid: Int32, keys: [String]) -> [String: String]? {
        guard let bytes = FileSystem.readBytes("/proc/\(pid)/environ") else { return nil }
        let prefixes = keys.map { Array("\($0)=".utf8) }
        var result = [String: String]()
        for item in bytes.split(separator: 0) {
            for (key, prefix) in zip(keys, prefixes) where item.starts(with: prefix) {
                result[key] = String(decoding: item.dropFirst(prefix.count), as: UTF8.self)
            }
        }
        return result
    }

    /// The argument vector of `pid`, for a process whose entry was scanned without it; empty when
    /// it is gone or has none (a kernel thread, a zombie).
    public static func arguments(of pid: Int32) -> [String] {
        FileSystem.readBytes("/proc/\(pid)/cmdline").map(ProcessTable.splitNulTerminated) ?? []
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
