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

/// The tcp and http probes against real listeners on loopback: a stub server, a full accept
/// queue, a silent listener, python's http.server.
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

    @Test func httpIsHealthyAgainstPythonHTTPServer() throws {
        let server = try PythonHTTPServer()
        defer { server.stop() }
        #expect(HealthProbe.http(url: "http://127.0.0.1:\(server.port)/", timeout: 2) == .healthy)
    }
}
