import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation
import Testing

@Suite struct HealthWaiterTests {
    @Test func abortsBetweenProbesAsSoonAsAsked() {
        let clock = ContinuousClock()
        let started = clock.now
        var probes = 0
        let outcome = HealthWaiter.wait(
            timeout: 10, interval: 5,
            probe: { probes += 1; return .unhealthy("connection refused") },
            shouldAbort: { clock.now - started > .seconds(0.2) ? "exited with status 1" : nil })
        #expect(outcome == .aborted("exited with status 1"))
        #expect(probes == 1)
        // Not the 5 s interval, with room for a loaded machine.
        let elapsed = clock.now - started
        #expect(elapsed >= .seconds(0.2) && elapsed < .seconds(3), "\(elapsed)")
    }

    @Test func timesOutWithTheLastProbesReason() {
        let clock = ContinuousClock()
        let started = clock.now
        var probes = 0
        let outcome = HealthWaiter.wait(
            timeout: 0.3, interval: 0.05,
            probe: { probes += 1; return .unhealthy("attempt \(probes)") },
            shouldAbort: { nil })
        let elapsed = clock.now - started
        #expect(outcome == .timedOut(last: "attempt \(probes)"))
        #expect(probes >= 4)
        #expect(elapsed >= .seconds(0.3) && elapsed < .seconds(3), "\(elapsed)")
    }

    @Test func healthyAtOnceNeedsOneProbe() {
        var probes = 0
        // An interval far above the bound below: one probe, no wait.
        let outcome = HealthWaiter.wait(
            timeout: 60, interval: 20,
            probe: { probes += 1; return .healthy },
            shouldAbort: { nil })
        guard case .healthy(let after) = outcome else {
            Issue.record("expected healthy, got \(outcome)")
            return
        }
        #expect(probes == 1)
        #expect(after < .seconds(3), "\(after)")
    }
}
