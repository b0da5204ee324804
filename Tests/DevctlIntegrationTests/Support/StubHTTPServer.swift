import Foundation
import Glibc

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
