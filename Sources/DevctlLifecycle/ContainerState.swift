import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
/// One container of a compose project as docker reports it, for the `status` table, its `--json`
/// and the wait of `start`.
public struct ContainerState: Sendable, Equatable {
    /// The compose service the container belongs to.
    public var service: String
    public var name: String
    /// Docker's state: `created`, `running`, `restarting`, `paused`, `exited`, `dead`, …
    public var state: String
    /// `healthy`, `starting` or `unhealthy`; nil when the service defines no healthcheck.
    public var health: String?

    public init(service: String, name: String, state: String, health: String?) {
        self.service = service
        self.name = name
        self.state = state
        self.health = health
    }

    /// Running, and healthy where a healthcheck is defined: what `start` waits for.
    public var isReady: Bool { state == "running" && (health == nil || health == "healthy") }
}
