import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation
import Testing

/// The wait for health against a real socket that starts listening while it waits.
@Suite struct HealthWaiterTests {
    @Test func findsAListenerOpenedHalfASecondLater() throws {
        let socket = try LoopbackSocket(listening: false)
        defer { socket.close() }
        let opened = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 0.5)
            try? socket.listen()
            opened.signal()
        }
        defer { opened.wait() }
        let outcome = HealthWaiter.wait(
            timeout: 5, interval: 0.05,
            probe: { HealthProbe.tcp(port: socket.port, timeout: 1) },
            shouldAbort: { nil })
        guard case .healthy(let after) = outcome else {
            Issue.record("expected healthy, got \(outcome)")
            return
        }
        #expect(after >= .seconds(0.45) && after < .seconds(2))
    }
}
