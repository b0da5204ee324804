import DevctlSystem
#if canImport(Glibc)
import Glibc
#endif
import CDevctlShims

/// A process holding a TCP port open for listening: what `start` names when a service's port is
/// already taken, and what `stop` names when a port is still busy after the stop.
public struct PortHolder: Sendable, Equatable {
    /// nil when the socket is listed but no readable /proc/PID/fd links to it (another user's process).
    public var pid: Int32?
    /// The process's `ProcessEntry.commandLine`: its arguments joined by spaces, or `[comm]` when
    /// it has none.
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
        var holders = owners.keys.sorted().compactMap { pid -> PortHolder? in
            do {
                // No entry left means the process exited since the scan, taking its sockets along.
                return try ProcessSnapshot.readEntry(pid: pid).map { PortHolder(pid: pid, command: $0.commandLine) }
            } catch {
                return PortHolder(pid: pid, command: "? (\(error))")
            }
        }
        let unowned = inodes.subtracting(owners.values.joined())
        // Asking the kernel again tells an unreadable owner from a socket closed during the scan.
        if !unowned.isEmpty, !unowned.isDisjoint(with: listeningInodes(port: port)) {
            holders.append(PortHolder(pid: nil, command: nil))
        }
        return holders
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
        return ["/proc/net/tcp", "/proc/net/tcp6"].flatMap { ProcNetTCP.parse(FileSystem.readText($0) ?? "") }
            .filter(\.isListening).map { ($0.localPort, $0.inode) }
    }

    /// One pass over /proc/*/fd for all the wanted inodes at once. A process whose descriptors
    /// cannot be read (another user's) or that is gone is passed over.
    private static func socketOwners(of inodes: Set<UInt64>) -> [Int32: Set<UInt64>] {
        var owners: [Int32: Set<UInt64>] = [:]
        for pid in FileSystem.directoryEntries("/proc").compactMap(Int32.init) {
            for descriptor in FileSystem.directoryEntries("/proc/\(pid)/fd") {
                guard let target = FileSystem.readLink("/proc/\(pid)/fd/\(descriptor)"), target.hasPrefix("socket:["),
                      let inode = UInt64(target.dropFirst("socket:[".count).dropLast()), inodes.contains(inode)
                else { continue }
                owners[pid, default: []].insert(inode)
            }
        }
        return owners
    }
}
