import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation

/// Which compose program this machine has. Docker ships compose two ways — the `docker compose`
/// plugin (v2) and the older standalone `docker-compose` (v1, what Debian packages) — with the same
/// `-p NAME -f FILE up/down` words, so devctl prefers v2, falls back to v1, and says which it used.
public enum ComposeFrontEnd: Sendable, Equatable, CustomStringConvertible {
    /// `docker compose`, the CLI plugin (v2).
    case plugin(version: String)
    /// `docker-compose`, the standalone program.
    case standalone(version: String)
    case notInstalled

    /// Asks `docker compose version` first, then `docker-compose version`; both answer without a
    /// daemon.
    public static func detect(using commands: CommandRunner, timeout: Double) -> ComposeFrontEnd {
        func version(_ command: [String]) -> String? {
            guard let result = try? commands.run(command + ["version", "--short"], timeout: timeout),
                  result.succeeded else { return nil }
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let version = version(["docker", "compose"]) { return .plugin(version: version) }
        if let version = version(["docker-compose"]) { return .standalone(version: version) }
        return .notInstalled
    }

    /// The words that start a compose command line.
    public var command: [String] {
        switch self {
        case .plugin: ["docker", "compose"]
        case .standalone: ["docker-compose"]
        case .notInstalled: []
        }
    }

    /// "docker compose v2.27.0", "docker-compose 1.29.2".
    public var description: String {
        switch self {
        // Plugin releases print their version with or without the "v"; say it one way.
        case .plugin(let version): "docker compose v\(version.hasPrefix("v") ? String(version.dropFirst()) : version)"
        case .standalone(let version): "docker-compose \(version)"
        case .notInstalled: "no compose"
        }
    }
}
