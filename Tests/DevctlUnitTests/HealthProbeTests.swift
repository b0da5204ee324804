import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation
import Glibc
import Testing

@Suite struct HealthProbeTests {
    @Test func tcpIsHealthyWhenSomethingListens() throws {
        let listener = try LoopbackSocket()
        defer { listener.close() }
        #expect(HealthProbe.tcp(port: listener.port, timeout: 1) == .healthy)
    }

    @Test func tcpReportsConnectionRefusedOnAPortNobodyListensOn() throws {
        // Bound but not listening: the port stays reserved for this test, and the kernel refuses connections.
        let reserved = try LoopbackSocket(listening: false)
        defer { reserved.close() }
        #expect(HealthProbe.tcp(port: reserved.port, timeout: 1) == .unhealthy("connection refused"))
    }

    @Test func tcpFallsBackToIPv6LoopbackWhenIPv4Refuses() throws {
        let listener = try LoopbackSocket(ipv6: true)
        defer { listener.close() }
        #expect(HealthProbe.tcp(port: listener.port, timeout: 1) == .healthy)
    }

    @Test func tcpGivesUpAtTheTimeoutWhenTheHandshakeGoesUnanswered() throws {
        // A listener whose accept queue is full drops further SYNs, so a connect hangs.
        let listener = try LoopbackSocket(backlog: 0)
        defer { listener.close() }
        let fillers = try (0..<3).map { _ in try LoopbackSocket.connectInFlight(to: listener.port) }
        defer { fillers.forEach { _ = Glibc.close($0) } }
        let clock = ContinuousClock()
        let started = clock.now
        #expect(HealthProbe.tcp(port: listener.port, timeout: 0.3) == .unhealthy("timed out after 0.3 s"))
        // Gave up near its timeout, not at the kernel's (minutes), with room for a loaded machine.
        let elapsed = clock.now - started
        #expect(elapsed >= .seconds(0.25) && elapsed < .seconds(3), "\(elapsed)")
    }

    @Test(arguments: [
        (200, ProbeResult.healthy), (204, .healthy), (302, .healthy),
        (404, .unhealthy("HTTP 404")), (503, .unhealthy("HTTP 503")),
    ])
    func httpJudgesByStatusCode(status: Int, expected: ProbeResult) throws {
        let server = try StubHTTPServer(response: "HTTP/1.1 \(status) Whatever\r\nContent-Length: 0\r\n\r\n")
        defer { server.stop() }
        #expect(HealthProbe.http(url: "http://127.0.0.1:\(server.port)/", timeout: 2) == expected)
    }

    @Test func httpSendsAMinimalGETWithHostAndConnectionClose() throws {
        let server = try StubHTTPServer(response: "HTTP/1.1 200 OK\r\n\r\n")
        defer { server.stop() }
        #expect(HealthProbe.http(url: "http://127.0.0.1:\(server.port)/health?deep=1#top", timeout: 2) == .healthy)
        let lines = try #require(server.requests.first).components(separatedBy: "\r\n")
        #expect(lines.first == "GET /health?deep=1 HTTP/1.1")
        #expect(lines.contains("Host: 127.0.0.1:\(server.port)"))
        #expect(lines.contains("Connection: close"))
    }

    @Test func httpResolvesLocalhostAndIPv6Literals() throws {
        let ipv4 = try StubHTTPServer(response: "HTTP/1.1 200 OK\r\n\r\n")
        defer { ipv4.stop() }
        let ipv6 = try StubHTTPServer(response: "HTTP/1.1 200 OK\r\n\r\n", ipv6: true)
        defer { ipv6.stop() }
        #expect(HealthProbe.http(url: "http://localhost:\(ipv4.port)", timeout: 2) == .healthy)
        #expect(HealthProbe.http(url: "http://[::1]:\(ipv6.port)/", timeout: 2) == .healthy)
        #expect(ipv6.requests.first?.contains("Host: [::1]:\(ipv6.port)") == true)
    }

    @Test func httpTimesOutWhenTheServerNeverAnswers() throws {
        // Listening without ever accepting: the kernel completes the handshake, nobody replies.
        let silent = try LoopbackSocket()
        defer { silent.close() }
        let clock = ContinuousClock()
        let started = clock.now
        #expect(HealthProbe.http(url: "http://127.0.0.1:\(silent.port)/", timeout: 1) == .unhealthy("timed out after 1.0 s"))
        let elapsed = clock.now - started
        #expect(elapsed >= .seconds(0.9) && elapsed < .seconds(4), "\(elapsed)")
    }

    @Test func httpReportsARefusedConnection() throws {
        let reserved = try LoopbackSocket(listening: false)
        defer { reserved.close() }
        #expect(HealthProbe.http(url: "http://127.0.0.1:\(reserved.port)/", timeout: 1) == .unhealthy("connection refused"))
    }

    @Test func httpRefusesURLsItCannotProbe() {
        for url in ["https://127.0.0.1/", "127.0.0.1:80", "http://:80/", "http://host:99999/"] {
            guard case .unhealthy(let reason) = HealthProbe.http(url: url, timeout: 1) else {
                Issue.record("\(url) was probed as healthy")
                continue
            }
            #expect(reason.hasPrefix("unsupported URL '\(url)'"))
        }
    }

    @Test func httpIsHealthyAgainstPythonHTTPServer() throws {
        let server = try PythonHTTPServer()
        defer { server.stop() }
        #expect(HealthProbe.http(url: "http://127.0.0.1:\(server.port)/", timeout: 2) == .healthy)
    }
}

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

/// A one-thread HTTP server on a loopback port that answers every request with `response` and
/// keeps each request's head, for the probe's requests to be checked.
final class StubHTTPServer: @unchecked Sendable {
    private let listener: LoopbackSocket
    private let lock = NSLock()
    private var received: [String] = []
    private let finished = DispatchSemaphore(value: 0)

    var port: Int { listener.port }
    var requests: [String] { lock.withLock { received } }

    init(response: String, ipv6: Bool = false) throws {
        listener = try LoopbackSocket(ipv6: ipv6)
        Thread.detachNewThread { [self] in
            serve(response)
            finished.signal()
        }
    }

    /// Wakes the blocked accept(2) with shutdown(2), waits for the thread, then closes the socket.
    func stop() {
        shutdown(listener.descriptor, CInt(SHUT_RDWR))
        finished.wait()
        listener.close()
    }

    private func serve(_ response: String) {
        while true {
            // accept4(2) is hidden without _GNU_SOURCE; the connection lives only inside this loop.
            let connection = accept(listener.descriptor, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            var head: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1024)
            while !String(decoding: head, as: UTF8.self).contains("\r\n\r\n") {
                let count = recv(connection, &chunk, chunk.count, 0)
                if count <= 0 { break }
                head += chunk[..<count]
            }
            lock.withLock { received.append(String(decoding: head, as: UTF8.self)) }
            _ = Array(response.utf8).withUnsafeBytes { send(connection, $0.baseAddress, $0.count, CInt(MSG_NOSIGNAL)) }
            _ = Glibc.close(connection)
        }
    }
}

/// `python3 -m http.server` on a free loopback port, waited for until it accepts connections,
/// and killed by its PID when stopped.
final class PythonHTTPServer {
    let process = Process()
    let port: Int

    init() throws {
        let reserved = try LoopbackSocket(listening: false)
        port = reserved.port
        reserved.close()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "http.server", String(port), "--bind", "127.0.0.1"]
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let process = process, port = port
        let outcome = HealthWaiter.wait(
            timeout: 10, interval: 0.05,
            probe: { HealthProbe.tcp(port: port, timeout: 1) },
            shouldAbort: { process.isRunning ? nil : "python3 exited with status \(process.terminationStatus)" })
        guard case .healthy = outcome else {
            stop()
            throw NetworkFixtureError("python3 -m http.server \(port) did not start: \(outcome)")
        }
    }

    var pid: Int32 { process.processIdentifier }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

struct NetworkFixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
