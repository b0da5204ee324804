import DevctlSystem
/// The rows of /proc/net/tcp and /proc/net/tcp6, the kernel's own table of TCP sockets, as
/// values: where netlink's sock_diag is not available, finding who listens on a port needs
/// neither `ss` nor `lsof`, and the parsing can be tested on sample text.
public enum ProcNetTCP {
    /// One socket: its local port, its TCP state, and the inode that names it in /proc/PID/fd
    /// (as the link `socket:[INODE]`).
    public struct Entry: Sendable, Equatable {
        public var localPort: Int
        /// The kernel's TCP state number, the `st` column.
        public var state: UInt8
        public var inode: UInt64

        public init(localPort: Int, state: UInt8, inode: UInt64) {
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
              let localPort = port(ofEndpoint: fields[1]),
              let state = UInt8(fields[3], radix: 16),
              let inode = UInt64(fields[9])
        else { return nil }
        return Entry(localPort: localPort, state: state, inode: inode)
    }

    /// The port of `0100007F:1F40` (127.0.0.1 port 8000): an IPv4 (8 hex digits) or IPv6 (32)
    /// address, a colon, and the port in hex. Nothing needs the address itself.
    private static func port(ofEndpoint field: Substring) -> Int? {
        let parts = field.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1], radix: 16) else { return nil }
        let address = parts[0].utf8
        guard address.count == 8 || address.count == 32, address.allSatisfy(isHexDigit) else { return nil }
        return Int(port)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}
