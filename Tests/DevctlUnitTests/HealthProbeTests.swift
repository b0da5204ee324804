import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation
import Testing

/// What the probes refuse before opening any socket; the probes against real listeners are
/// integration tests.
@Suite struct HealthProbeTests {
    @Test func httpRefusesURLsItCannotProbe() {
        for url in ["https://127.0.0.1/", "127.0.0.1:80", "http://:80/", "http://host:99999/"] {
            guard case .unhealthy(let reason) = HealthProbe.http(url: url, timeout: 1) else {
                Issue.record("\(url) was probed as healthy")
                continue
            }
            #expect(reason.hasPrefix("unsupported URL '\(url)'"))
        }
    }
}
