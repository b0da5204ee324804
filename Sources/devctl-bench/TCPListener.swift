#if canImport(Glibc)
import Glibc
#endif

/// What the services of the health-check row run (`devctl-bench --listen PORT`): a process that
/// listens on 127.0.0.1:PORT until a signal ends it, so `start` finds them healthy and `stop`
/// must see every port free again. The benchmark's own binary, so the row needs no interpreter.
enum TCPListener {
    static func run(port text: String) -> Int32 {
        guard let port = UInt16(text), port > 0 else {
            printError("--listen expects a port number, got '\(text)'")
            return 2
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, bound == 0, listen(fd, 16) == 0 else {
            printError("cannot listen on 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
            return 1
        }
        // Like the other services, gone after ten minutes whatever happens (SIGALRM's default).
        alarm(600)
        while true { pause() }
    }

    private static func printError(_ message: String) {
        let line = Array("devctl-bench: \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
