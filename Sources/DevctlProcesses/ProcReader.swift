import DevctlSystem
#if canImport(Glibc)
import Glibc
#endif

/// Reads the files of `/proc` for `ProcessSnapshot`, relative to one open descriptor of the
/// `/proc` folder. Each read tells "the process is gone" (ENOENT, ESRCH: skip it) from "cannot
/// read" (anything else: thrown, because it proves nothing).
struct ProcReader: ~Copyable {
    let root: String
    private let descriptor: Int32

    init(root: String) throws(SystemCallError) {
        self.root = root
        descriptor = try systemCall("open(\(root))") { open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
    }

    deinit { close(descriptor) }

    /// The PIDs listed in `/proc`.
    func pids() throws(SystemCallError) -> [Int32] {
        try SyscallFaults.check("opendir(\(root))")
        let copy = try systemCall("dup(\(root))") { dup(descriptor) }
        guard let directory = fdopendir(copy) else {
            let error = SystemCallError("opendir(\(root))", Errno.current)
            close(copy)
            throw error
        }
        defer { closedir(directory) }
        rewinddir(directory)
        var pids = [Int32]()
        pids.reserveCapacity(512)
        while let item = readdir(directory) {
            if let pid = withUnsafeBytes(of: item.pointee.d_name, Self.pid(named:)) { pids.append(pid) }
        }
        return pids
    }

    /// One process; nil when it is gone.
    func entry(pid: Int32, details: ProcessDetailRequest) throws(SystemCallError) -> ProcessEntry? {
        guard let fd = try openFile("\(pid)/stat") else { return nil }
        defer { close(fd) }
        var info = Glibc.stat()
        try systemCall("fstat(\(root)/\(pid)/stat)") { fstat(fd, &info) }
        guard let stat = try ProcessStat.readStat(fd: fd, path: "\(root)/\(pid)/stat") else { return nil }
        // The files of a non-dumpable process belong to root whoever runs it, so a root-owned one
        // may be an ordinary user's: only then is its real uid worth the read of the status file.
        // Kernel threads (children of kthreadd, PID 2) are root's; and root itself, who may signal
        // anything, would only learn that a process is not root's, which no rule needs.
        var uid = info.st_uid
        if uid == 0 && Self.readerIsNotRoot && stat.pid != 2 && stat.ppid != 2 {
            guard let real = try realUID(pid: pid) else { return nil }
            uid = real
        }
        var entry = ProcessEntry(stat: stat, uid: uid, arguments: [])
        guard details.owner == nil || details.owner == uid,
              !details.onlySessionLeaders || (stat.pid == stat.sid && stat.pid == stat.pgid) || details.alsoFor.contains(pid)
        else { return entry }
        if details.arguments {
            guard let arguments = try arguments(pid: pid) else { return nil }
            entry.arguments = arguments
        }
        if !details.environmentKeys.isEmpty {
            entry.environment = try environment(pid: pid, keys: details.environmentKeys)
        }
        if details.workingDirectory {
            entry.workingDirectory = readLink("\(pid)/cwd")
        }
        return entry
    }

    private static let readerIsNotRoot = geteuid() != 0

    /// The argument vector of `pid`; nil when it is gone.
    func arguments(pid: Int32) throws(SystemCallError) -> [String]? {
        try read("\(pid)/cmdline").map(Self.splitNulTerminated)
    }

    /// Seconds since boot.
    func uptime() throws(SystemCallError) -> Double {
        guard let bytes = try read("uptime"),
              let first = String(decoding: bytes, as: UTF8.self).split(separator: " ").first,
              let seconds = Double(first)
        else { throw SystemCallError("read(\(root)/uptime)", Errno(rawValue: EINVAL)) }
        return seconds
    }

    /// The first (real) uid of the `Uid:` line of `/proc/PID/status`; nil when the process is gone.
    private func realUID(pid: Int32) throws(SystemCallError) -> UInt32? {
        guard let fd = try openFile("\(pid)/status") else { return nil }
        defer { close(fd) }
        let path = "\(root)/\(pid)/status"
        let parsed = try FileSystem.withContents(of: fd, capacity: 8192, name: path) { bytes -> UInt32? in
            let text = String(decoding: bytes, as: UTF8.self)
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") }) else { return nil }
            return line.dropFirst(4).split(whereSeparator: { $0 == "\t" || $0 == " " }).first.flatMap { UInt32($0) }
        }
        guard let parsed else { return nil }
        guard let uid = parsed else { throw SystemCallError("parse(\(path))", Errno(rawValue: EINVAL)) }
        return uid
    }

    /// The values of `keys` in the environment, searched as raw bytes.
    private func environment(pid: Int32, keys: [String]) throws(SystemCallError) -> EnvironmentReading {
        let bytes: [UInt8]
        do {
            guard let read = try read("\(pid)/environ") else { return .values([:]) }
            bytes = read
        } catch {
            return .unreadable(error)
        }
        let prefixes = keys.map { Array("\($0)=".utf8) }
        var values = [String: String]()
        for item in bytes.split(separator: 0) {
            for (key, prefix) in zip(keys, prefixes) where item.starts(with: prefix) {
                values[key] = String(decoding: item.dropFirst(prefix.count), as: UTF8.self)
            }
        }
        return .values(values)
    }

    /// Opens a file under `/proc`; nil when it is gone.
    private func openFile(_ relative: String) throws(SystemCallError) -> Int32? {
        do {
            return try systemCall("open(\(root)/\(relative))") { openat(descriptor, relative, O_RDONLY | O_CLOEXEC) }
        } catch where error.meansGone {
            return nil
        }
    }

    /// A whole file under `/proc`; nil when it is gone.
    private func read(_ relative: String) throws(SystemCallError) -> [UInt8]? {
        guard let fd = try openFile(relative) else { return nil }
        defer { close(fd) }
        do {
            return try FileSystem.read(fd: fd, limit: 1 << 22, name: "\(root)/\(relative)")
        } catch where error.meansGone {
            return nil
        }
    }

    private func readLink(_ relative: String) -> String? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(PATH_MAX)) { buffer -> String? in
            let count = readlinkat(descriptor, relative, buffer.baseAddress!, buffer.count)
            guard count >= 0 else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<count]), as: UTF8.self)
        }
    }

    /// NUL-separated strings, as in `cmdline` (a trailing NUL ends the last one).
    static func splitNulTerminated(_ bytes: [UInt8]) -> [String] {
        bytes.split(separator: 0, omittingEmptySubsequences: false)
            .dropLast(bytes.last == 0 ? 1 : 0)
            .map { String(decoding: $0, as: UTF8.self) }
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
}

/// Constants for turning `/proc` numbers into seconds and bytes.
public enum ProcUnits {
    /// Clock ticks per second, for converting start times and CPU ticks.
    public static let clockTicksPerSecond: Double = Double(sysconf(Int32(_SC_CLK_TCK)))
    /// Bytes per page, for converting RSS.
    public static let pageSize: Int64 = Int64(sysconf(Int32(_SC_PAGESIZE)))
}
