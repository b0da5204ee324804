#if canImport(Glibc)
import Glibc
#endif

/// The rows of /proc/net/tcp and /proc/net/tcp6, the kernel's own table of TCP sockets, as
/// values: finding who listens on a port needs neither `ss` nor `lsof`, and the parsing can be
/// tested on sample text.
public enum ProcNetTCP {
    /// One socket: its local end, its TCP state, and the inode that names it in /proc/PID/fd
    /// (as the link `socket:[INODE]`).
    public struct Entry: Sendable, Equatable {
        /// As text: "127.0.0.1", "::1", "::".
        public var localAddress: String
        public var localPort: Int
        /// The kernel's TCP state number, the `st` column.
        public var state: UInt8
        public var inode: UInt64

        public init(localAddress: String, localPort: Int, state: UInt8, inode: UInt64) {
            self.localAddress = localAddress
            self.localPort = localPort
            self.state = state
            self.inode = inode
        }

        /// The corresponding kernel state is `TCP_LISTEN` (0x0A).
        public var isListening: Bool { state == 0x0A }
    }

    /// Parses a whole file; the header line and any row that does not fit the format are skipped.
    public static func parse(_ text: String) -> [Entry] {
        text.split(separator: "\n").compactMap(entry)
    }

    /// A row: `0: 0100007F:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000 1000 0 12345 ...`
    /// (sl, local_address, rem_address, st, tx:rx queue, tr:when, retrnsmt, uid, timeout, inode).
    private static func entry(_ line: Substring) -> Entry? {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 10, fields[0].hasSuffix(":"),
              let local = endpoint(fields[1]),
              let state = UInt8(fields[3], radix: 16),
              let inode = UInt64(fields[9])
        else { return nil }
        return Entry(localAddress: local.address, localPort: local.port, state: state, inode: inode)
    }

    /// `0100007F:1F40` is 127.0.0.1 port 8000. The kernel prints the address as 32-bit words in
    /// host byte order, so storing each word back into memory as-is restores the network-order
    /// bytes that inet_ntop(3) expects.
    private static func endpoint(_ field: Substring) -> (address: String, port: Int)? {
        let parts = field.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1], radix: 16) else { return nil }
        let hex = parts[0]
        guard hex.count == 8 || hex.count == 32 else { return nil }
        var words: [UInt32] = []
        var start = hex.startIndex
        while start < hex.endIndex {
            let end = hex.index(start, offsetBy: 8)
            guard let word = UInt32(hex[start..<end], radix: 16) else { return nil }
            words.append(word)
            start = end
        }
        let family = words.count == 1 ? AF_INET : AF_INET6
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let address: String? = words.withUnsafeBytes { raw in
            text.withUnsafeMutableBufferPointer { buffer in
                inet_ntop(family, raw.baseAddress, buffer.baseAddress, socklen_t(buffer.count)).map { String(cString: $0) }
            }
        }
        return address.map { ($0, Int(port)) }
    }
}
