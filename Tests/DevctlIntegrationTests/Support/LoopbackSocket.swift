import Foundation
import Glibc

/// A TCP socket on an ephemeral loopback port (bound to port 0, the port read back with
/// getsockname), closed by the test that made it.
final class LoopbackSocket: @unchecked Sendable {
    let descriptor: CInt
    let port: Int
    private let backlog: CInt

    init(ipv6: Bool = false, listening: Bool = true, backlog: CInt = 16) throws {
        let descriptor = Glibc.socket(ipv6 ? AF_INET6 : AF_INET, CInt(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        try Self.check(descriptor, "socket")
        do {
            port = try Self.bindToEphemeralPort(descriptor, ipv6: ipv6)
            if listening { try Self.check(Glibc.listen(descriptor, backlog), "listen") }
        } catch {
            _ = Glibc.close(descriptor)
            throw error
        }
        self.descriptor = descriptor
        self.backlog = backlog
    }

    private static func bindToEphemeralPort(_ descriptor: CInt, ipv6: Bool) throws -> Int {
        var storage = sockaddr_storage()
        var length: socklen_t
        if ipv6 {
            var only: CInt = 1
            try check(setsockopt(descriptor, CInt(IPPROTO_IPV6), IPV6_V6ONLY, &only, socklen_t(MemoryLayout<CInt>.size)), "setsockopt")
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            inet_pton(AF_INET6, "::1", &address.sin6_addr)
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeBytes(of: address) { source in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) } }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = INADDR_LOOPBACK.bigEndian
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeBytes(of: address) { source in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) } }
        }
        try withUnsafeMutablePointer(to: &storage) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                try check(bind(descriptor, address, length), "bind")
                try check(getsockname(descriptor, address, &length), "getsockname")
            }
        }
        // sin_port and sin6_port sit at the same offset, in network byte order.
        return Int(UInt16(bigEndian: withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in.self).sin_port }))
    }

    func listen() throws {
        try Self.check(Glibc.listen(descriptor, backlog), "listen")
    }

    func close() {
        _ = Glibc.close(descriptor)
    }

    /// A non-blocking connect left in flight, to fill a listener's accept queue.
    static func connectInFlight(to port: Int) throws -> CInt {
        let descriptor = Glibc.socket(AF_INET, CInt(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        try check(descriptor, "socket")
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = INADDR_LOOPBACK.bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result == -1 && errno != EINPROGRESS { try check(result, "connect") }
        return descriptor
    }

    static func check(_ result: CInt, _ operation: String) throws {
        if result == -1 { throw NetworkFixtureError("\(operation): \(String(cString: strerror(errno)))") }
    }
}
