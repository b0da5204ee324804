#if canImport(Glibc)
import Glibc
#endif

/// What the services of the health-check and dependency rows run (`devctl-bench --listen PORT
/// [--delay S] [--exit-delay S]`): a process that listens on 127.0.0.1:PORT until a signal ends
/// it, so `start` finds them healthy and `stop` must see every port free again. `--delay` holds
/// the listen back (a database still starting: its health check fails meanwhile) and
/// `--exit-delay` makes it take that long to exit after SIGTERM, SIGINT or SIGHUP (a server
/// draining its connections). The benchmark's own binary, so the rows need no interpreter.
enum TCPListener {
    static let usage = "--listen expects PORT [--delay SECONDS] [--exit-delay SECONDS]"

    static func run(_ arguments: [String]) -> Int32 {
        guard let text = arguments.first, let port = UInt16(text), port > 0 else {
            printError("\(usage), got '\(arguments.joined(separator: " "))'")
            return 2
        }
        var delay = 0.0, exitDelay = 0.0
        var rest = arguments.dropFirst()
        while let option = rest.popFirst() {
            guard option == "--delay" || option == "--exit-delay", let value = rest.popFirst().flatMap(Double.init),
                  value >= 0, value < 60 else {
                printError("\(usage), got '\(arguments.joined(separator: " "))'")
                return 2
            }
            if option == "--delay" { delay = value } else { exitDelay = value }
        }
        // The stop signals wait in the mask until sigwait takes them, also during the delay.
        var stops = sigset_t()
        sigemptyset(&stops)
        for number in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&stops, number) }
        pthread_sigmask(SIG_BLOCK, &stops, nil)
        // Like the other services, gone after ten minutes whatever happens (SIGALRM's default).
        alarm(600)
        sleep(seconds: delay)
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
        var number: Int32 = 0
        while sigwait(&stops, &number) != 0 {}
        // A draining server stops accepting at once and leaves a moment later.
        close(fd)
        sleep(seconds: exitDelay)
        return 0
    }

    private static func sleep(seconds: Double) {
        guard seconds > 0 else { return }
        var time = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
        while withUnsafeMutablePointer(to: &time, { nanosleep($0, $0) }) != 0 && errno == EINTR {}
    }

    private static func printError(_ message: String) {
        let line = Array("devctl-bench: \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
