import DevctlSystem
#if canImport(Glibc)
import Glibc
#endif

/// Everything a keeper needs to run, restart and log its service, handed over by `start` in
/// `.pids/keepers/NAME.spec` (mode 0600: the environment may hold secrets from an `envFile`). The
/// keeper's own argv and environment stay free of the service's, so neither `ps` nor an orphan
/// pattern nor a marker scan mistakes the keeper for one of the service's processes.
public struct KeeperSpec: Sendable, Equatable {
    public var service: String
    /// The project root: `.pids/` is under it.
    public var root: String
    public var arguments: [String]
    public var environment: [String: String]
    public var workingDirectory: String
    /// The service's cgroup folder, where containment uses cgroups.
    public var cgroup: String?
    /// The command as the run header shows it.
    public var displayCommand: String
    public var restart: Restart
    public var restartDelay: Double
    public var maxRestarts: Int
    public var oneshot: Bool
    public var logMaxBytes: Int
    public var logKeep: Int

    public init(service: String, root: String, arguments: [String], environment: [String: String], workingDirectory: String,
                cgroup: String?, displayCommand: String, restart: Restart = .no, restartDelay: Double = 1,
                maxRestarts: Int = 10, oneshot: Bool = false, logMaxBytes: Int = 10 << 20, logKeep: Int = 3) {
        self.service = service
        self.root = root
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.cgroup = cgroup
        self.displayCommand = displayCommand
        self.restart = restart
        self.restartDelay = restartDelay
        self.maxRestarts = maxRestarts
        self.oneshot = oneshot
        self.logMaxBytes = logMaxBytes
        self.logKeep = logKeep
    }

    /// When the keeper restarts its service (SPEC §1 `restart`); the configuration layer's enum is
    /// mapped onto this one, which the keeper, loading no Foundation, decides with.
    public enum Restart: String, Sendable, Equatable, CaseIterable {
        case no
        /// After a non-zero exit or a death by a signal devctl did not send.
        case onFailure = "on-failure"
        /// After any exit devctl did not cause.
        case always
    }

    /// `key NUL value NUL` pairs: any byte but NUL may appear in an argument or a value.
    public var encoded: [UInt8] {
        var pairs: [(String, String)] = [
            ("service", service), ("root", root), ("cwd", workingDirectory), ("display", displayCommand),
            ("restart", restart.rawValue), ("restartDelay", String(restartDelay)), ("maxRestarts", String(maxRestarts)),
            ("oneshot", oneshot ? "1" : "0"), ("logMaxBytes", String(logMaxBytes)), ("logKeep", String(logKeep)),
        ]
        if let cgroup { pairs.append(("cgroup", cgroup)) }
        pairs += arguments.map { ("arg", $0) }
        pairs += environment.sorted { $0.key < $1.key }.map { ("env", "\($0.key)=\($0.value)") }
        var bytes = [UInt8]()
        for (key, value) in pairs {
            bytes += Array(key.utf8) + [0] + Array(value.utf8) + [0]
        }
        return bytes
    }

    /// Reads what `encoded` wrote; nil when a field is missing or malformed.
    public static func decode(_ bytes: [UInt8]) -> KeeperSpec? {
        let fields = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard fields.count % 2 == 1, fields.last == "" else { return nil }
        var single = [String: String]()
        var arguments = [String]()
        var environment = [String: String]()
        for index in stride(from: 0, to: fields.count - 1, by: 2) {
            let (key, value) = (fields[index], fields[index + 1])
            switch key {
            case "arg": arguments.append(value)
            case "env":
                guard let equals = value.firstIndex(of: "=") else { return nil }
                environment[String(value[..<equals])] = String(value[value.index(after: equals)...])
            default: single[key] = value
            }
        }
        guard let service = single["service"], let root = single["root"], let cwd = single["cwd"],
              let display = single["display"], let restart = single["restart"].flatMap(Restart.init(rawValue:)),
              let delay = single["restartDelay"].flatMap(Double.init), let maxRestarts = single["maxRestarts"].flatMap({ Int($0) }),
              let logMaxBytes = single["logMaxBytes"].flatMap({ Int($0) }), let logKeep = single["logKeep"].flatMap({ Int($0) }),
              !arguments.isEmpty else { return nil }
        return KeeperSpec(service: service, root: root, arguments: arguments, environment: environment, workingDirectory: cwd,
                          cgroup: single["cgroup"], displayCommand: display, restart: restart, restartDelay: delay,
                          maxRestarts: maxRestarts, oneshot: single["oneshot"] == "1", logMaxBytes: logMaxBytes, logKeep: logKeep)
    }
}
