import DevctlConfig
import DevctlProcesses
import DevctlSupervision
import DevctlSystem
import DevctlText
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Turns one service's configuration into a running session leader: its log opened and headed,
/// its environment assembled with the project marker, its command spawned in a new session.
public struct ServiceLauncher: Sendable {
    public let project: Project
    public let baseEnvironment: [String: String]

    public init(project: Project, baseEnvironment: [String: String] = ProcessInfo.processInfo.environment) {
        self.project = project
        self.baseEnvironment = baseEnvironment
    }

    /// The environment a service (and its health-check command) runs with.
    public func environment(for service: ServiceConfig) -> [String: String] {
        var environment = baseEnvironment
        environment.merge(service.environment) { _, new in new }
        environment[Project.markerVariable] = project.marker
        environment[Project.serviceVariable] = service.name
        return environment
    }

    public func arguments(for command: ServiceCommand) -> [String] {
        switch command {
        case .shell(let text): ["/bin/sh", "-c", text]
        case .argv(let arguments): arguments
        }
    }

    /// Starts the service under a keeper of its own and returns its tracking entry: the leader the
    /// keeper spawned, with the identity the keeper read while the leader was its unreaped child.
    public func launch(_ service: ServiceConfig, cgroup: CgroupFolder? = nil) throws(SpawnError) -> TrackedService {
        try finishLaunch(service, beginLaunch(service, cgroup: cgroup))
    }

    /// `launch` in two halves, for a start that spawns several keepers before reading any answer.
    func beginLaunch(_ service: ServiceConfig, cgroup: CgroupFolder?) throws(SpawnError) -> KeeperLaunch.Pending {
        try KeeperLaunch.begin(keeperSpec(for: service, cgroup: cgroup), store: project.store)
    }

    func finishLaunch(_ service: ServiceConfig, _ pending: KeeperLaunch.Pending) throws(SpawnError) -> TrackedService {
        let leader = try KeeperLaunch.finish(pending)
        return TrackedService(name: service.name, pid: leader.pid, pgid: leader.pid, startTime: leader.startTime)
    }

    /// What the keeper of `service` runs and how it supervises it.
    func keeperSpec(for service: ServiceConfig, cgroup: CgroupFolder?) -> KeeperSpec {
        KeeperSpec(service: service.name, root: project.config.root, arguments: arguments(for: service.command),
                   environment: environment(for: service), workingDirectory: service.cwd, cgroup: cgroup?.path,
                   displayCommand: service.command.displayString,
                   restart: KeeperSpec.Restart(rawValue: service.restart.rawValue) ?? .no,
                   restartDelay: service.restartDelay, maxRestarts: service.maxRestarts, oneshot: service.oneshot,
                   logMaxBytes: project.config.logMaxBytes, logKeep: project.config.logKeep)
    }

    /// Takes a leader just started down again, whole group, after telling its keeper to stand
    /// down (so it is not restarted). Says what happened, for the error.
    static func revoke(_ entry: TrackedService, store: TrackingStore) -> String {
        KeeperStandDown.tell([entry.name], store: store)
        let leader = ProcessIdentity(pid: entry.pid, startTime: entry.startTime ?? 0)
        do {
            try SafeSignal.send(.kill, toGroup: entry.pgid, provenBy: leader)
            try SafeSignal.send(.kill, to: leader)
        } catch {
            return "could not stop it again (\(error))"
        }
        return "stopped it again"
    }
}
