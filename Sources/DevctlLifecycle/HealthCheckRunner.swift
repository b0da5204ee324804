import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
/// Runs one probe of a service's configured health check, whatever its kind, so start, status and
/// `up` all judge health the same way.
public struct HealthCheckRunner: Sendable {
    public let launcher: ServiceLauncher
    private let logChecks = LogReadiness.Cache()

    public init(launcher: ServiceLauncher) { self.launcher = launcher }

    /// How long one probe may take while `start` waits with `remaining` seconds left. A connect
    /// or a GET is cheap to repeat, so it is cut short (2 s) and tried again; a check command may
    /// run as long as the wait has left, because one that always needs longer than a fixed cut
    /// would be killed every time and never pass.
    public static func probeTimeout(for check: HealthCheck, remaining: Double) -> Double {
        let retryBound = min(check.timeout, 2)
        if case .command = check.kind { return max(remaining, retryBound) }
        return retryBound
    }

    /// One probe, bounded by `timeout` seconds (at most the check's own timeout).
    public func probe(_ service: ServiceConfig, timeout: Double) -> ProbeResult {
        guard let check = service.healthcheck else { return .healthy }
        switch check.kind {
        case .tcp(let port):
            return HealthProbe.tcp(port: port, timeout: timeout)
        case .http(let url):
            return HealthProbe.http(url: url, timeout: timeout)
        case .command(let command):
            return CommandProbe.run(command, workingDirectory: service.cwd,
                                    environment: launcher.environment(for: service), timeout: timeout)
        case .log(let pattern):
            guard let readiness = logChecks.readiness(for: pattern) else {
                return .unhealthy("invalid regular expression /\(pattern)/")
            }
            return readiness.probe(logFile: launcher.project.store.logFile(for: service.name))
        }
    }
}
