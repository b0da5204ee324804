import DevctlConfig
import DevctlProcesses
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

    /// Spawns the service and returns its tracking entry, read from `/proc` at once so the PID is
    /// recorded with its identity before anything else can go wrong.
    public func launch(_ service: ServiceConfig, cgroup: CgroupFolder? = nil) throws(SpawnError) -> TrackedService {
        let logPath = project.store.logFile(for: service.name)
        let fd: Int32
        do {
            fd = try ServiceLog.openForRun(path: logPath, service: service.name, command: service.command.displayString)
        } catch {
            throw SpawnError(message: "cannot open its log: \(error)")
        }
        defer { close(fd) }
        let pid = try Spawner.spawn(arguments: arguments(for: service.command), environment: environment(for: service),
                                    workingDirectory: service.cwd, outputDescriptor: fd, placement: .newSession,
                                    cgroup: cgroup)
        do {
            // Our unreaped child: its /proc entry exists until we reap it, whatever it does.
            guard let stat = try ProcessStat.read(pid: pid) else { throw SystemCallError("read(/proc/\(pid)/stat)", .noSuchProcess) }
            return TrackedService(name: service.name, pid: pid, pgid: pid, startTime: stat.startTime)
        } catch {
            // Without its identity it could never be recorded safely: take it down again.
            throw SpawnError(message: "cannot read its identity: \(error); \(Self.revoke(pid))")
        }
    }

    /// Kills a leader just spawned, whole group, and reaps it: our unreaped child's PID cannot
    /// have been reused, so signalling by PID is safe. Says what happened, for the error.
    static func revoke(_ pid: Int32) -> String {
        do {
            try ProcessSignaller.signal(group: pid, .kill)
            try ProcessSignaller.signal(pid: pid, .kill)
        } catch {
            return "could not stop it again (\(error))"
        }
        _ = Spawner.reap(pid, blocking: true)
        return "stopped it again"
    }
}
