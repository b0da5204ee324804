import DevctlSystem
import DevctlText
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A validated services.json: everything devctl needs to know about a project, with every
/// default applied and every path made absolute, so no other part of devctl re-checks it.
public struct ServicesConfig: Sendable, Equatable {
    public static let defaultStopTimeout: Double = 3
    /// An hour: the most any stop waits, for `stopTimeout` and `stop --timeout` alike.
    public static let maximumStopTimeout: Double = 3600
    public static let defaultLogMaxSize: Double = 10
    /// A tebibyte, in MiB: far above any log worth keeping, low enough that the size in bytes
    /// stays an exact integer.
    public static let maximumLogMaxSize: Double = 1_048_576
    public static let defaultLogKeep = 3
    public static let maximumLogKeep = 1000

    /// `[A-Za-z0-9_.-]+`; the compose project name.
    public var project: String
    /// The absolute path of the folder holding services.json (the project root).
    public var root: String
    /// The absolute path of services.json.
    public var file: String
    /// Seconds between the stop signal and SIGKILL, 0...`maximumStopTimeout`.
    public var stopTimeout: Double
    /// Regular expressions matched against the full command lines of candidate orphans.
    public var orphanPatterns: [String]
    /// The absolute path of the compose file; nil when disabled or none was found.
    public var compose: String?
    /// Whether services run in cgroups of their own.
    public var containment: ContainmentMode
    /// MiB a service's log may grow to before it is rotated, in (0, `maximumLogMaxSize`];
    /// fractions allowed.
    public var logMaxSize: Double
    /// Rotated files kept per service (`NAME.log.1` … `NAME.log.N`), 0...`maximumLogKeep`.
    public var logKeep: Int
    /// In declaration order.
    public var services: [ServiceConfig]

    public init(project: String, root: String, file: String, stopTimeout: Double = ServicesConfig.defaultStopTimeout,
                orphanPatterns: [String] = [], compose: String? = nil, containment: ContainmentMode = .auto,
                logMaxSize: Double = ServicesConfig.defaultLogMaxSize, logKeep: Int = ServicesConfig.defaultLogKeep,
                services: [ServiceConfig]) {
        self.project = project
        self.containment = containment
        self.root = root
        self.file = file
        self.stopTimeout = stopTimeout
        self.orphanPatterns = orphanPatterns
        self.compose = compose
        self.logMaxSize = logMaxSize
        self.logKeep = logKeep
        self.services = services
    }

    /// `logMaxSize` in bytes, at least 1, for the keeper that compares it with a file's size.
    public var logMaxBytes: Int {
        max(1, Int(logMaxSize * 1_048_576))
    }

    public func service(named name: String) -> ServiceConfig? {
        services.first { $0.name == name }
    }
}

/// The `containment` key: whether each service runs in a cgroup of its own (SPEC §4).
public enum ContainmentMode: String, Sendable, Equatable, CaseIterable {
    /// A cgroup per service where devctl may create cgroups, else the session rules.
    case auto
    /// Cgroups are required: a start without them is refused, saying why.
    case cgroup
    /// Never cgroups: sessions, groups, trees and the marker only.
    case session
}

/// One process devctl starts, supervises and stops.
public struct ServiceConfig: Sendable, Equatable {
    public static let defaultRestartDelay: Double = 1
    /// An hour, as for every other number of seconds in services.json.
    public static let maximumRestartDelay: Double = 3600
    public static let defaultMaxRestarts = 10
    public static let maximumMaxRestarts = 1_000_000

    /// `[A-Za-z0-9_-]+`, unique in the project: it is used in file names and `NAME:PID` lines.
    public var name: String
    public var command: ServiceCommand
    /// Absolute; an existing folder.
    public var cwd: String
    /// The `envFile` values overlaid with `env` (`env` wins); devctl's own environment is not
    /// included, it is added when the service is spawned.
    public var environment: [String: String]
    /// Absolute path of the dotenv file, nil if none.
    public var envFile: String?
    public var dependsOn: [String]
    public var healthcheck: HealthCheck?
    public var stopSignal: StopSignal
    /// Seconds: the service's own value, else the project's.
    public var stopTimeout: Double
    /// When its keeper starts it again after it exits on its own.
    public var restart: RestartPolicy
    /// Seconds before the first restart, in (0, `maximumRestartDelay`]; the keeper doubles it
    /// after each short run.
    public var restartDelay: Double
    /// Consecutive short-lived restarts before the keeper gives up (state `failed`),
    /// 0...`maximumMaxRestarts`.
    public var maxRestarts: Int
    /// A task meant to exit (a migration, code generation): dependents wait for its exit 0
    /// instead of a health check, which it never has.
    public var oneshot: Bool

    public init(name: String, command: ServiceCommand, cwd: String, environment: [String: String] = [:],
                envFile: String? = nil, dependsOn: [String] = [], healthcheck: HealthCheck? = nil,
                stopSignal: StopSignal = .term, stopTimeout: Double = ServicesConfig.defaultStopTimeout,
                restart: RestartPolicy = .no, restartDelay: Double = ServiceConfig.defaultRestartDelay,
                maxRestarts: Int = ServiceConfig.defaultMaxRestarts, oneshot: Bool = false) {
        self.name = name
        self.command = command
        self.cwd = cwd
        self.environment = environment
        self.envFile = envFile
        self.dependsOn = dependsOn
        self.healthcheck = healthcheck
        self.stopSignal = stopSignal
        self.stopTimeout = stopTimeout
        self.restart = restart
        self.restartDelay = restartDelay
        self.maxRestarts = maxRestarts
        self.oneshot = oneshot
    }
}

/// How a service's command is run: the two forms behave differently (a shell expands `$VAR`,
/// pipes and globs; argv is passed untouched), so the form the user chose is kept.
public enum ServiceCommand: Sendable, Equatable {
    /// Run by `/bin/sh -c`.
    case shell(String)
    /// Executed directly, looked up in `$PATH`.
    case argv([String])

    /// The command as status output shows it. Argv elements that are empty or contain
    /// whitespace or quotes are single-quoted, so the words stay visible.
    public var displayString: String {
        switch self {
        case .shell(let command):
            return command
        case .argv(let arguments):
            return arguments.map { argument in
                let needsQuotes = argument.isEmpty || argument.contains { $0.isWhitespace || $0 == "'" || $0 == "\"" }
                guard needsQuotes else { return argument }
                return "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
            }.joined(separator: " ")
        }
    }
}

/// How devctl decides a service is ready: dependents start only after it passes, and `status`
/// probes it live.
public struct HealthCheck: Sendable, Equatable {
    public static let defaultTimeout: Double = 30
    public static let defaultInterval: Double = 0.2
    /// The most `timeout` may be: an hour.
    public static let maximumTimeout: Double = 3600
    /// The most `interval` may be: a minute.
    public static let maximumInterval: Double = 60

    public enum Kind: Sendable, Equatable {
        /// A TCP connect to 127.0.0.1.
        case tcp(port: Int)
        /// A GET whose 2xx or 3xx status means healthy.
        case http(url: String)
        /// Run by `/bin/sh -c` in the service's folder and environment; exit 0 means healthy.
        case command(String)
        /// A regular expression (`NSRegularExpression` syntax) matched against each line the
        /// service wrote in its newest run; a match means healthy.
        case log(pattern: String)
    }

    public var kind: Kind
    /// Seconds to wait for the first success, in (0, `maximumTimeout`].
    public var timeout: Double
    /// Seconds between attempts, in (0, `maximumInterval`].
    public var interval: Double

    public init(kind: Kind, timeout: Double = HealthCheck.defaultTimeout, interval: Double = HealthCheck.defaultInterval) {
        self.kind = kind
        self.timeout = timeout
        self.interval = interval
    }

    /// The local port the service will listen on, when the check says: the tcp port, or the
    /// port of an http URL on this machine. `start` refuses a port already taken and `stop`
    /// verifies it is free again.
    public var port: Int? {
        switch kind {
        case .tcp(let port):
            return port
        case .http(let url):
            guard let components = URLComponents(string: url),
                  let host = components.host?.lowercased(),
                  ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) else { return nil }
            return components.port ?? (components.scheme?.lowercased() == "https" ? 443 : 80)
        case .command, .log:
            return nil
        }
    }
}

/// The signals a service may ask to be stopped with: the ones a program can catch to shut down
/// cleanly. SIGKILL and SIGSTOP are left out because they cannot be handled.
public enum StopSignal: String, Sendable, CaseIterable {
    case term = "TERM", int = "INT", quit = "QUIT", hup = "HUP", usr1 = "USR1", usr2 = "USR2"

    /// The signal number. The corresponding C constants are `SIGTERM`, `SIGINT`, `SIGQUIT`,
    /// `SIGHUP`, `SIGUSR1` and `SIGUSR2`.
    public var number: Int32 {
        switch self {
        case .term: SIGTERM
        case .int: SIGINT
        case .quit: SIGQUIT
        case .hup: SIGHUP
        case .usr1: SIGUSR1
        case .usr2: SIGUSR2
        }
    }
}
