import Foundation

/// A throwaway project folder with a generated services.json, inside the benchmark's folder.
struct BenchProject: Sendable {
    struct Service: Encodable {
        var name: String
        var command: [String]
        var healthcheck: HealthCheck?
        var dependsOn: [String]?

        init(name: String, command: [String], healthcheck: HealthCheck? = nil, dependsOn: [String]? = nil) {
            self.name = name
            self.command = command
            self.healthcheck = healthcheck
            self.dependsOn = dependsOn
        }
    }

    struct HealthCheck: Encodable {
        var tcp: Int
        /// Seconds between probes; devctl's default when nil.
        var interval: Double?

        init(tcp: Int, interval: Double? = nil) {
            self.tcp = tcp
            self.interval = interval
        }
    }

    private struct File: Encodable {
        var project: String
        var stopTimeout: Double
        var services: [Service]
    }

    let root: String
    let services: [Service]

    init(in parent: String, name: String, stopTimeout: Double = 3, services: [Service]) throws(BenchError) {
        root = parent + "/" + name
        self.services = services
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(File(project: name, stopTimeout: stopTimeout, services: services))
            try data.write(to: URL(fileURLWithPath: root + "/services.json"))
        } catch {
            throw BenchError("cannot write the project '\(root)': \(error.localizedDescription)")
        }
    }

    /// `count` services named `svc-1` … built by `command(index)`.
    static func services(_ count: Int, _ command: (Int) -> [String]) -> [Service] {
        (1...count).map { Service(name: "svc-\($0)", command: command($0), healthcheck: nil) }
    }
}

/// The services the rows are made of. Each lives at most ten minutes, so even a benchmark killed
/// with SIGKILL (the one thing it cannot clean up after) leaves nothing behind for long.
enum ServiceKind {
    /// Exits at once on SIGTERM.
    static let obedient = ["sleep", "600"]
    /// A shell with three children in its group; all exit on SIGTERM.
    static let withChildren = ["/bin/sh", "-c", "sleep 600 & sleep 600 & sleep 600 & wait"]
    /// Ignores SIGTERM (an ignored signal stays ignored across exec): only SIGKILL ends it.
    static let ignoringTerm = ["/bin/sh", "-c", "trap '' TERM; exec sleep 600"]
    /// Listens on 127.0.0.1:`port` until SIGTERM (the benchmark's own binary, see TCPListener).
    static func listening(on port: Int, bench: String) -> [String] { [bench, "--listen", "\(port)"] }
    /// Listens only `delay` seconds after it starts and takes `exitDelay` seconds to exit after
    /// SIGTERM: a service of a real stack, whose health check passes late and whose stop drains.
    static func slowListening(on port: Int, bench: String, delay: Double, exitDelay: Double) -> [String] {
        [bench, "--listen", "\(port)", "--delay", "\(delay)", "--exit-delay", "\(exitDelay)"]
    }
}
