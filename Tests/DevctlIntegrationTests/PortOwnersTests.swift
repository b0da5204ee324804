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

/// devctl's port-holder lookup against this process's own sockets and a python server.
@Suite struct PortOwnersTests {
    @Test func listenersNamesThisTestProcess() throws {
        let listener = try LoopbackSocket()
        defer { listener.close() }
        #expect(PortOwners.listeners(port: listener.port) == [
            PortHolder(pid: getpid(), command: CommandLine.arguments.joined(separator: " ")),
        ])
    }

    @Test func listenersSeesIPv6Sockets() throws {
        let listener = try LoopbackSocket(ipv6: true)
        defer { listener.close() }
        #expect(PortOwners.listeners(port: listener.port).map(\.pid) == [getpid()])
    }

    @Test func listenersNamesAnotherProcessAndItsCommand() throws {
        let server = try PythonHTTPServer()
        defer { server.stop() }
        let holders = PortOwners.listeners(port: server.port)
        #expect(holders.count == 1)
        #expect(holders.first?.pid == server.pid)
        #expect(holders.first?.command?.hasSuffix("-m http.server \(server.port) --bind 127.0.0.1") == true)
    }

    @Test func boundButNotListeningIsFreeThenListeningIsInUse() throws {
        // Bound without listen(2): the port is reserved for this test, yet nobody listens on it.
        let socket = try LoopbackSocket(listening: false)
        defer { socket.close() }
        #expect(PortOwners.listeners(port: socket.port) == [])
        #expect(!PortOwners.isInUse(port: socket.port))
        try socket.listen()
        #expect(PortOwners.isInUse(port: socket.port))
        #expect(PortOwners.listeners(port: socket.port).map(\.pid) == [getpid()])
    }

    @Test func connectionsToAPortAreNotListeners() throws {
        let listener = try LoopbackSocket()
        defer { listener.close() }
        let client = try LoopbackSocket.connectInFlight(to: listener.port)
        defer { _ = Glibc.close(client) }
        // The client end and the queued server end are on the port too, but only the listener counts.
        #expect(PortOwners.listeners(port: listener.port).count == 1)
    }
}
