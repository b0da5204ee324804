import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Who listens on a TCP port, as the kernel shows it: the listening sockets in `/proc/net/tcp`
/// and `/proc/net/tcp6`, and the processes whose `/proc/PID/fd` holds one of them. Read with
/// Foundation alone and independently of devctl's `PortOwners`, which the tests check.
public enum KernelPortListeners {
    /// The inodes of the sockets listening on `port`, over IPv4 and IPv6.
    public static func sockets(on port: Int) -> Set<UInt64> {
        var inodes = Set<UInt64>()
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let data = FileManager.default.contents(atPath: table) else { continue }
            // After a header line: `sl local_address rem_address st … uid timeout inode …`, the
            // address as HEX:PORT in hex and the state 0A for LISTEN.
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n").dropFirst() {
                let columns = line.split(whereSeparator: \.isWhitespace)
                guard columns.count > 9, columns[3] == "0A", let colon = columns[1].lastIndex(of: ":"),
                      Int(columns[1][columns[1].index(after: colon)...], radix: 16) == port,
                      let inode = UInt64(columns[9]) else { continue }
                inodes.insert(inode)
            }
        }
        return inodes
    }

    /// The processes holding a socket that listens on `port` open, sorted. Only processes whose
    /// descriptors this test may read are seen: its own user's, or every one as root.
    public static func processes(on port: Int) -> [pid_t] {
        let names = Set(sockets(on: port).map { "socket:[\($0)]" })
        guard !names.isEmpty else { return [] }
        return KernelProcessEntry.allPIDs().filter { pid in
            let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
            // One link at a time: a descriptor closed meanwhile must not hide the rest.
            return descriptors.contains { KernelProcessEntry.linkTarget("/proc/\(pid)/fd/\($0)").map(names.contains) ?? false }
        }.sorted()
    }
}
