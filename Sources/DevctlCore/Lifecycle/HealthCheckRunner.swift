/// Runs one probe of a service's configured health check, whatever its kind, so start, status and
/// `up` all judge health the same way.
public struct HealthCheckRunner: Sendable {
    public let launcher: ServiceLauncher

    public init(launcher: ServiceLauncher) { self.launcher = launcher }

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
        }
    }
}
