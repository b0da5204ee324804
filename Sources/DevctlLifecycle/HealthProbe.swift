import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// What one health probe found: ready, or not yet, with a reason short enough for the HEALTH
/// column of `status` ("connection refused", "HTTP 503", "timed out after 1.0 s").
public enum ProbeResult: Sendable, Equatable {
    case healthy
    case unhealthy(String)
}

/// The `tcp` and `http` health checks of services.json, written on raw non-blocking sockets
/// rather than URLSession so that every probe (name lookup, connect, request, reply) ends by its
/// timeout, never raises SIGPIPE, and never leaks a descriptor into a service devctl spawns.
public enum HealthProbe {
    /// Connects to 127.0.0.1:port (then ::1 if v4 refused) with a non-blocking connect bounded
    /// by `timeout` seconds (poll(2)).
    public static func tcp(port: Int, timeout: Double) -> ProbeResult {
        let deadline = Deadline(seconds: timeout)
        return outcome(timeout: timeout) { () throws(ProbeFailure) in
            guard let port = UInt16(exactly: port), port != 0 else { throw .message("invalid port \(port)") }
            let loopback = ["127.0.0.1", "::1"].compactMap { SocketAddress(numericHost: $0, port: port) }
            let socket = try connect(to: loopback, by: deadline)
            close(socket)
        }
    }

    /// A minimal HTTP/1.1 GET over a socket (no URLSession): resolves host (127.0.0.1, localhost,
    /// ::1, or any name via getaddrinfo), sends `GET path HTTP/1.1`, Host, `Connection: close`,
    /// reads the status line; 2xx/3xx healthy. Whole probe bounded by `timeout`.
    public static func http(url: String, timeout: Double) -> ProbeResult {
        let deadline = Deadline(seconds: timeout)
        return outcome(timeout: timeout) { () throws(ProbeFailure) in
            let target = try HTTPTarget(url)
            let socket = try connect(to: resolve(target, by: deadline), by: deadline)
            defer { close(socket) }
            let request = "GET \(target.path) HTTP/1.1\r\nHost: \(target.authority)\r\nConnection: close\r\n\r\n"
            try send(request, to: socket, by: deadline)
            let status = try readStatus(from: socket, by: deadline)
            guard (200..<400).contains(status) else { throw .message("HTTP \(status)") }
        }
    }

    private static func outcome(timeout: Double, _ probe: () throws(ProbeFailure) -> Void) -> ProbeResult {
        do {
            try probe()
            return .healthy
        } catch {
            return .unhealthy(error.reason(timeout: timeout))
        }
    }
}

extension HealthProbe {
    /// Why a probe failed, kept apart from its wording so a timeout is phrased in one place.
    private enum ProbeFailure: Error {
        case timedOut
        /// The service's side of connect, send or recv ("connection refused"): the usual
        /// "not up yet", shown bare.
        case socket(Errno)
        /// devctl's own failure (socket(2) out of descriptors), shown with the call that failed.
        case system(SystemCallError)
        case message(String)

        func reason(timeout: Double) -> String {
            switch self {
            case .timedOut: "timed out after \((timeout * 10).rounded() / 10) s"
            case .socket(let errno): errno.description.prefix(1).lowercased() + errno.description.dropFirst()
            case .system(let error): error.description
            case .message(let text): text
            }
        }
    }

    /// The instant a probe must be done by, shared by all its steps.
    private struct Deadline {
        let end: ContinuousClock.Instant

        init(seconds: Double) { end = .now + .seconds(seconds) }

        /// What is left, for poll(2): rounded up, so a probe never gives up a little early.
        var milliseconds: CInt {
            let left = ContinuousClock.now.duration(to: end)
            guard left > .zero else { return 0 }
            let (seconds, attoseconds) = left.components
            return CInt(clamping: seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
        }
    }

    /// An address in the form connect(2) takes.
    private struct SocketAddress {
        var storage = sockaddr_storage()
        var length: socklen_t

        var family: CInt { CInt(storage.ss_family) }

        /// An IPv4 or IPv6 literal; nil for a name, which needs a lookup.
        init?(numericHost host: String, port: UInt16) {
            var ipv4 = sockaddr_in()
            var ipv6 = sockaddr_in6()
            if inet_pton(AF_INET, host, &ipv4.sin_addr) == 1 {
                ipv4.sin_family = sa_family_t(AF_INET)
                ipv4.sin_port = port.bigEndian
                self.init(copying: ipv4)
            } else if inet_pton(AF_INET6, host, &ipv6.sin6_addr) == 1 {
                ipv6.sin6_family = sa_family_t(AF_INET6)
                ipv6.sin6_port = port.bigEndian
                self.init(copying: ipv6)
            } else {
                return nil
            }
        }

        init<Address>(copying address: Address) {
            length = socklen_t(MemoryLayout<Address>.size)
            withUnsafeBytes(of: address) { source in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) }
            }
        }

        init(copying address: UnsafePointer<sockaddr>, length: socklen_t) {
            self.length = length
            withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(length))) }
        }
    }

    /// The parts of an `http://HOST[:PORT][/PATH]` URL that a GET request needs.
    private struct HTTPTarget {
        /// Without the brackets of an IPv6 literal.
        var host: String
        var port: UInt16 = 80
        /// As written in the URL, for the Host header.
        var authority: String
        var path: String

        init(_ url: String) throws(ProbeFailure) {
            let invalid = ProbeFailure.message("unsupported URL '\(url)': expected http://HOST[:PORT]/PATH")
            guard url.lowercased().hasPrefix("http://") else { throw invalid }
            let rest = url.dropFirst("http://".count)
            let authorityEnd = rest.firstIndex { "/?#".contains($0) } ?? rest.endIndex
            authority = String(rest[..<authorityEnd])
            let pathAndQuery = rest[authorityEnd...].prefix { $0 != "#" }
            path = pathAndQuery.hasPrefix("/") ? String(pathAndQuery) : "/" + pathAndQuery

            var portText: Substring?
            if authority.hasPrefix("[") {
                guard let bracket = authority.firstIndex(of: "]") else { throw invalid }
                host = String(authority[authority.index(after: authority.startIndex)..<bracket])
                let afterBracket = authority[authority.index(after: bracket)...]
                if !afterBracket.isEmpty {
                    guard afterBracket.hasPrefix(":") else { throw invalid }
                    portText = afterBracket.dropFirst()
                }
            } else if let colon = authority.lastIndex(of: ":") {
                host = String(authority[..<colon])
                portText = authority[authority.index(after: colon)...]
            } else {
                host = authority
            }
            guard !host.isEmpty else { throw invalid }
            if let portText {
                guard let port = UInt16(portText), port != 0 else { throw invalid }
                self.port = port
            }
        }
    }

    /// One getaddrinfo(3) call on another thread. Its result is written before `finished` is
    /// signalled and read only after a successful wait, so the two threads never share it.
    private final class Lookup: @unchecked Sendable {
        let host: String
        let port: UInt16
        let finished = DispatchSemaphore(value: 0)
        var result: Result<[SocketAddress], ProbeFailure> = .success([])

        init(host: String, port: UInt16) {
            self.host = host
            self.port = port
        }

        func run() {
            defer { finished.signal() }
            var hints = addrinfo()
            hints.ai_socktype = CInt(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, String(port), &hints, &list)
            guard status == 0 else {
                result = .failure(.message("cannot resolve '\(host)': \(String(cString: gai_strerror(status)))"))
                return
            }
            defer { freeaddrinfo(list) }
            var addresses: [SocketAddress] = []
            for entry in sequence(first: list, next: { $0?.pointee.ai_next }).compactMap({ $0?.pointee }) {
                if let address = entry.ai_addr { addresses.append(SocketAddress(copying: address, length: entry.ai_addrlen)) }
            }
            result = .success(addresses)
        }
    }

    /// A literal needs no lookup; a name is looked up on another thread, because getaddrinfo(3)
    /// cannot be interrupted and the probe must still end by its deadline.
    private static func resolve(_ target: HTTPTarget, by deadline: Deadline) throws(ProbeFailure) -> [SocketAddress] {
        if let address = SocketAddress(numericHost: target.host, port: target.port) { return [address] }
        let lookup = Lookup(host: target.host, port: target.port)
        DispatchQueue.global().async { lookup.run() }
        guard lookup.finished.wait(timeout: .now() + .milliseconds(Int(deadline.milliseconds))) == .success else {
            throw .timedOut
        }
        return try lookup.result.get()
    }

    /// Tries each address in turn and returns the first connected socket. When none connects, the
    /// first address's failure is reported (127.0.0.1's, for a tcp probe).
    private static func connect(to addresses: [SocketAddress], by deadline: Deadline) throws(ProbeFailure) -> CInt {
        var firstFailure: ProbeFailure?
        for address in addresses {
            do throws(ProbeFailure) {
                return try connect(to: address, by: deadline)
            } catch {
                if case .timedOut = error { throw error }
                firstFailure = firstFailure ?? error
            }
        }
        throw firstFailure ?? .message("no address to connect to")
    }

    private static func connect(to address: SocketAddress, by deadline: Deadline) throws(ProbeFailure) -> CInt {
        let type = CInt(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        let socket = try system("socket") { Glibc.socket(address.family, type, 0) }
        do throws(ProbeFailure) {
            do throws(SystemCallError) {
                var address = address
                try systemCall("connect") {
                    withUnsafePointer(to: &address.storage) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, address.length) }
                    }
                }
            } catch {
                guard error.errno == .inProgress else { throw .socket(error.errno) }
                try wait(for: POLLOUT, on: socket, by: deadline)
                var pending: CInt = 0
                var size = socklen_t(MemoryLayout<CInt>.size)
                try system("getsockopt(SO_ERROR)") { getsockopt(socket, SOL_SOCKET, SO_ERROR, &pending, &size) }
                if pending != 0 { throw .socket(Errno(rawValue: pending)) }
            }
            return socket
        } catch {
            close(socket)
            throw error
        }
    }

    private static func send(_ text: String, to socket: CInt, by deadline: Deadline) throws(ProbeFailure) {
        var unsent = Array(text.utf8)[...]
        while !unsent.isEmpty {
            try wait(for: POLLOUT, on: socket, by: deadline)
            do throws(SystemCallError) {
                // MSG_NOSIGNAL: a service that hangs up early must give EPIPE, not kill devctl with SIGPIPE.
                let sent = try systemCall("send") {
                    unsent.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, CInt(MSG_NOSIGNAL)) }
                }
                unsent = unsent.dropFirst(sent)
            } catch {
                throw .socket(error.errno)
            }
        }
    }

    /// Reads up to the end of the status line and returns its code ("HTTP/1.1 503 ..." gives 503).
    private static func readStatus(from socket: CInt, by deadline: Deadline) throws(ProbeFailure) -> Int {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1024)
        // A status line longer than this is not from an HTTP server; stop reading instead of buffering it.
        while !received.contains(UInt8(ascii: "\n")), received.count < 8192 {
            try wait(for: POLLIN, on: socket, by: deadline)
            let count: Int
            do throws(SystemCallError) {
                count = try systemCall("recv") { recv(socket, &chunk, chunk.count, 0) }
            } catch {
                throw .socket(error.errno)
            }
            if count == 0 { break }
            received += chunk[..<count]
        }
        let line = received.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }
        let fields = String(decoding: line, as: UTF8.self).split(separator: " ")
        guard fields.count >= 2, fields[0].hasPrefix("HTTP/"), fields[1].count == 3, let status = Int(fields[1]) else {
            throw .message(received.isEmpty ? "connection closed without a response" : "not an HTTP response")
        }
        return status
    }

    /// Waits with poll(2) until `socket` is ready for `events` or the deadline passes.
    private static func wait(for events: CInt, on socket: CInt, by deadline: Deadline) throws(ProbeFailure) {
        var request = pollfd(fd: socket, events: Int16(events), revents: 0)
        // The time left is measured again when a signal interrupts, so EINTR never stretches the wait.
        let ready = try system("poll") { poll(&request, 1, deadline.milliseconds) }
        if ready == 0 { throw .timedOut }
    }

    /// `systemCall` for the calls whose failure is devctl's problem rather than the service's.
    @discardableResult
    private static func system<T: BinaryInteger>(_ operation: String, _ body: () -> T) throws(ProbeFailure) -> T {
        do throws(SystemCallError) {
            return try systemCall(operation, body)
        } catch {
            throw .system(error)
        }
    }
}
