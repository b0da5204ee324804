import DevctlConfig
import DevctlProcesses

/// The health-check ports a start needs that are already taken, each with who holds it, checked
/// all at once before anything is spawned.
enum PortConflicts {
    /// Service name → why it cannot start ("port 8000 already in use by pid 42: python3 …").
    static func find(for services: [ServiceConfig]) -> [(name: String, reason: String)] {
        let holders = PortHolders.find(services.compactMap { $0.healthcheck?.port })
        return services.compactMap { service in
            guard let port = service.healthcheck?.port, let found = holders[port] else { return nil }
            let named = found.compactMap { holder in holder.pid.map { "pid \($0): \(holder.command ?? "?")" } }
            return (service.name, named.isEmpty ? "port \(port) already in use"
                                                : "port \(port) already in use by \(named.joined(separator: ", "))")
        }
    }
}
