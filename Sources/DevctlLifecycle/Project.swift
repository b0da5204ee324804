import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif

/// Everything one invocation knows about the project it acts on: the validated configuration,
/// where its state lives, and the marker its processes carry in their environment.
public struct Project: Sendable {
    public let config: ServicesConfig
    public let store: TrackingStore
    public let events: EventLog
    /// The value of `DEVCTL_PROJECT` in every process devctl starts for this project root.
    public let marker: String
    public let graph: DependencyGraph

    public init(config: ServicesConfig) {
        self.config = config
        store = TrackingStore(root: config.root)
        events = EventLog(path: store.eventsFile)
        marker = Self.marker(project: config.project, root: config.root)
        graph = DependencyGraph(config.services)
    }

    public static let markerVariable = "DEVCTL_PROJECT"
    public static let serviceVariable = "DEVCTL_SERVICE"

    /// `NAME-HASH`: readable, and unique per project root (FNV-1a of the absolute root path), so two
    /// checkouts of the same project never claim each other's processes.
    public static func marker(project: String, root: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in root.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "\(project)-\(String(repeating: "0", count: 16 - hex.count))\(hex)"
    }

    /// The names a command acts on: the given ones (validated), else every configured service.
    public func resolveNames(_ names: [String]) throws(UnknownServiceError) -> [String] {
        if names.isEmpty { return config.services.map(\.name) }
        let known = config.services.map(\.name)
        for name in names where !known.contains(name) {
            throw UnknownServiceError(name: name, suggestion: Spelling.closest(to: name, in: known), known: known)
        }
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}

/// A service name on the command line that services.json does not define (exit 2).
public struct UnknownServiceError: Error, Sendable, CustomStringConvertible {
    public var name: String
    public var suggestion: String?
    public var known: [String]

    public var description: String {
        if let suggestion { return "unknown service '\(name)'; did you mean '\(suggestion)'?" }
        return "unknown service '\(name)'; services.json defines: \(known.joined(separator: ", "))"
    }
}
