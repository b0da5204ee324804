import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif

/// How waiting for a service to become healthy ended.
public enum HealthWaitOutcome: Sendable, Equatable {
    case healthy(after: Duration)
    /// With the reason of the last probe ("connection refused").
    case timedOut(last: String)
    /// With the reason `shouldAbort` gave ("exited with status 1").
    case aborted(String)
}

/// The loop behind `start`'s wait for health checks and dependencies: probe every `interval`
/// until healthy or the timeout ends, and stop at once when the caller says waiting is pointless.
public enum HealthWaiter {
    /// Probes every `interval` seconds until a probe is healthy or `timeout` seconds have passed.
    /// `shouldAbort` is asked before every probe and every 50 ms between probes, so a service that
    /// dies fails the wait at once rather than at the timeout.
    public static func wait(
        timeout: Double,
        interval: Double,
        probe: () -> ProbeResult,
        shouldAbort: () -> String?
    ) -> HealthWaitOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .seconds(timeout)
        var nextProbe = start
        while true {
            if let reason = shouldAbort() { return .aborted(reason) }
            if clock.now >= nextProbe {
                guard case .unhealthy(let reason) = probe() else { return .healthy(after: clock.now - start) }
                if clock.now >= deadline { return .timedOut(last: reason) }
                // The last probe falls on the deadline itself rather than up to an interval before it.
                nextProbe = min(clock.now + .seconds(interval), deadline)
            }
            pause(min(clock.now.duration(to: nextProbe), .milliseconds(50)))
        }
    }

    private static func pause(_ duration: Duration) {
        guard duration > .zero else { return }
        var time = timespec(tv_sec: Int(duration.components.seconds), tv_nsec: Int(duration.components.attoseconds / 1_000_000_000))
        // On EINTR nanosleep(2) leaves the time still to sleep in `time`, which the retry then sleeps.
        _ = try? systemCall("nanosleep") { withUnsafeMutablePointer(to: &time) { nanosleep($0, $0) } }
    }
}
