/// Compose files of the private engine's image, for the unit tests of `ComposeRunner` and the
/// devctl-level tests alike. Every container has `network_mode: none`: the engine has no bridge.
public enum ComposeFixtures {
    /// `web` stops at once on SIGTERM; `db` turns healthy about a second after it starts.
    public static let webAndDatabase = webAnd(database: "sleep 1; touch /tmp/ready; ")

    /// Like `webAndDatabase`, but `db` turns healthy only once a test creates /tmp/ready in it.
    public static let gatedDatabase = webAnd(database: "")

    /// `web`, and a `db` whose healthcheck passes once /tmp/ready exists; `database` runs first.
    private static func webAnd(database: String) -> String {
        """
        services:
          web:
            image: \(PrivateDockerEngine.image)
            command: ["sh", "-c", "trap 'exit 0' TERM; sleep 600 & wait"]
            network_mode: none
          db:
            image: \(PrivateDockerEngine.image)
            command: ["sh", "-c", "trap 'exit 0' TERM; \(database)sleep 600 & wait"]
            network_mode: none
            healthcheck:
              test: ["CMD", "test", "-f", "/tmp/ready"]
              interval: 200ms
              timeout: 1s
              retries: 1000
        """
    }

    /// A main process that ignores SIGTERM, as PID 1 of many real images does, with a compose
    /// grace long enough that only `down --timeout` can explain a quick end.
    public static let stubborn = """
        services:
          stubborn:
            image: \(PrivateDockerEngine.image)
            command: ["sh", "-c", "trap '' TERM; while :; do sleep 1; done"]
            network_mode: none
            stop_grace_period: 60s
        """
}
