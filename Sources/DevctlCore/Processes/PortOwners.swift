#if canImport(Glibc)
import Glibc
#endif
import CDevctlShims

/// A process holding a TCP port open for listening: what `start` names when a service's port is
/// already taken, and what `stop` names when a port is still busy after the stop.
public struct PortHolder: Sendable, Equatable {
    /// nil when the socket is listed but no readable /proc/PID/fd links to it (another user's process).
    public var pid: Int32?
    /// From /proc/PID/cmdline, arguments joined by spaces, or /proc/PID/comm when that is empty.
    public var command: String?

    public init(pid: Int32?, command: String?) {
        self.pid = pid
        self.command = command
    }
}

/// Who holds a TCP port, found the way `ss -ltnp` does: the kernel's listening sockets (over
/// netlink, or from /proc/net/tcp*), then the processes whose descriptors point at those sockets.
public enum PortOwners {
    /// Listening TCP sockets on `port` (IPv4 and IPv6, any local address), mapped via socket inode
    /// to the PIDs whose /proc/PID/fd/* link to socket:[inode]. Returns [] when the port is free.
    /// A holder whose fds are unreadable is returned with pid nil. Processes vanishing mid-scan are
    /// skipped, never a crash.
    public static func listeners(port: Int) -> [PortHolder] {
        let inodes = listeningInodes(port: port)
        guard !inodes.isEmpty else { return [] }
        let owners = socketOwners(of: inodes)
        var holders = owners.keys.sorted().compactMap { pid in
            // No command left means the process exited since the scan, taking its sockets along.
            command(of: pid).map { PortHolder(pid: pid, command: $0) }
        }
        let unowned = inodes.subtracting(owners.values.joined())
        // Asking the kernel again tells an unreadable owner from a socket closed during the scan.
        if !unowned.isEmpty, !unowned.isDisjoint(with: listeningInodes(port: port)) {
            holders.append(PortHolder(pid: nil, command: nil))
        }
        return holders
    }

    /// True if the port is bound for listening (per /proc/net/tcp*) or accepts a connection on
    /// 127.0.0.1.
    public static func isInUse(port: Int) -> Bool {
        isInUse(port: port, listening: listeningPorts())
    }

    /// `isInUse(port:)` for one of many ports, with the listening ports read once by
    /// `listeningPorts()`.
    public static func isInUse(port: Int, listening: Set<Int>) -> Bool {
        // The connect also catches a listener that /proc/net of this network namespace does not
        // show; on loopback it is answered at once, the timeout is only a bound.
        listening.contains(port) || HealthProbe.tcp(port: port, timeout: 0.5) == .healthy
    }

    /// Every local port with a listening TCP socket, for checking many ports against one answer.
    public static func listeningPorts() -> Set<Int> {
        Set(listeningSockets().map(\.port))
    }

    private static func listeningInodes(port: Int) -> Set<UInt64> {
        Set(listeningSockets().lazy.filter { $0.port == port }.map(\.inode))
    }

    /// The listening TCP sockets (IPv4 and IPv6), asked of the kernel over netlink (sock_diag, as
    /// `ss -lt` does): well under a millisecond, where reading /proc/net/tcp walks the kernel's
    /// whole socket hash table and takes 7 to 15 ms however few sockets there are. /proc/net/tcp*
    /// remain the answer where sock_diag is not available.
    private static func listeningSockets() -> [(port: Int, inode: UInt64)] {
        var capacity = 256
        while true {
            var buffer = [devctl_listening_socket](repeating: devctl_listening_socket(), count: capacity)
            let count = Int(devctl_listening_tcp_sockets(&buffer, CInt(capacity)))
            if count < 0 { break }
            if count <= capacity { return buffer.prefix(count).map { (Int($0.port), UInt64($0.inode)) } }
            capacity = count + 64
        }
        return ["/proc/net/tcp", "/proc/net/tcp6"].flatMap { ProcNetTCP.parse(contents(of: $0) ?? "") }
            .filter(\.isListening).map { ($0.localPort, $0.inode) }
    }

    /// One pass over /proc/*/fd for all the wanted inodes at once. A process whose descriptors
    /// cannot be read (another user's) or that is gone is passed over.
    private static func socketOwners(of inodes: Set<UInt64>) -> [Int32: Set<UInt64>] {
        var owners: [Int32: Set<UInt64>] = [:]
        for pid in names(in: "/proc").compactMap(Int32.init) {
            for descriptor in names(in: "/proc/\(pid)/fd") {
                guard let target = linkTarget("/proc/\(pid)/fd/\(descriptor)"), target.hasPrefix("socket:["),
                      let inode = UInt64(target.dropFirst("socket:[".count).dropLast()), inodes.contains(inode)
                else { continue }
                owners[pid, default: []].insert(inode)
            }
        }
        return owners
    }

    private static func command(of pid: Int32) -> String? {
        if let arguments = contents(of: "/proc/\(pid)/cmdline"), !arguments.isEmpty {
            return arguments.split(separator: "\0").joined(separator: " ")
        }
        // Kernel threads and zombies have an empty cmdline; comm still names them.
        return contents(of: "/proc/\(pid)/comm").map { String($0.dropLast($0.hasSuffix("\n") ? 1 : 0)) }
    }

    private static func names(in directory: String) -> [String] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    private static func linkTarget(_ path: String) -> String? {
        // Long enough for "socket:[INODE]"; longer targets are never sockets and may be cut short.
        var buffer = [UInt8](repeating: 0, count: 64)
        guard let count = try? systemCall("readlink(\(path))", { readlink(path, &buffer, buffer.count) }) else { return nil }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    /// A /proc file read to its end: they report a size of 0, so it is read until read(2) returns 0.
    private static func contents(of path: String) -> String? {
        guard let file = try? systemCall("open(\(path))", { open(path, O_RDONLY | O_CLOEXEC) }) else { return nil }
        defer { close(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            guard let count = try? systemCall("read(\(path))", { read(file, &chunk, chunk.count) }) else { return nil }
            if count == 0 { return String(decoding: bytes, as: UTF8.self) }
            bytes += chunk[..<count]
        }
    }
}
