import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The `command` health check: `/bin/sh -c COMMAND` in the service's folder and environment, healthy
/// on exit 0. Each probe runs in its own process group so a probe that overruns its time can be
/// killed whole, and is always reaped.
public enum CommandProbe {
    public static func run(_ command: String, workingDirectory: String, environment: [String: String],
                           timeout: Double) -> ProbeResult {
        let pid: Int32
        do {
            pid = try Spawner.spawn(arguments: ["/bin/sh", "-c", command], environment: environment,
                                    workingDirectory: workingDirectory, outputDescriptor: -1, placement: .newProcessGroup)
        } catch {
            return .unhealthy(error.message)
        }
        let deadline = Date().addingTimeInterval(timeout)
        var backoff = Backoff(maximum: 0.02)
        while true {
            if let status = Spawner.reap(pid) {
                return status == .exited(0) ? .healthy : .unhealthy("check command \(status)")
            }
            if Date() >= deadline {
                // Our unreaped child leads the group, so the group id cannot have been reused.
                do {
                    try ProcessSignaller.signal(group: pid, .kill)
                } catch {
                    return .unhealthy("check command timed out and could not be killed: \(error)")
                }
                _ = Spawner.reap(pid, blocking: true)
                return .unhealthy(String(format: "check command timed out after %.1f s", timeout))
            }
            backoff.pause()
        }
    }
}
