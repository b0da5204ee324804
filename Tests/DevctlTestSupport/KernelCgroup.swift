import Foundation

/// A process's cgroup v2 membership as the kernel shows it — the `0::` line of `/proc/PID/cgroup`
/// and the cgroup2 mount of `/proc/self/mountinfo` — read independently of devctl's own code, so
/// tests judge containment by what the kernel says.
public enum KernelCgroup {
    /// Where cgroup2 is mounted; nil on a machine without it.
    public static let mount: String? = {
        guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if let dash = fields.firstIndex(of: "-"), dash + 1 < fields.count, fields[dash + 1] == "cgroup2" {
                return String(fields[4])
            }
        }
        return nil
    }()

    /// The cgroup path of `pid` (`/devctl-x/web`); nil when it is gone.
    public static func path(of pid: pid_t) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix("0::") }.map { String($0.dropFirst(3)) }
    }

    /// The folder of a cgroup path.
    public static func folder(of path: String) -> String? {
        mount.map { path == "/" ? $0 : $0 + path }
    }

    /// Whether the cgroup of `pid` reports itself frozen.
    public static func isFrozen(_ pid: pid_t) -> Bool {
        guard let path = path(of: pid), let folder = folder(of: path),
              let events = try? String(contentsOfFile: folder + "/cgroup.events", encoding: .utf8) else { return false }
        return events.split(separator: "\n").contains("frozen 1")
    }

    /// The PIDs in a cgroup folder.
    public static func members(ofFolder folder: String) -> [pid_t] {
        ((try? String(contentsOfFile: folder + "/cgroup.procs", encoding: .utf8)) ?? "").split(separator: "\n").compactMap { pid_t($0) }
    }

    /// Whether this machine lets the tests make cgroups (root, with cgroup2 mounted).
    public static var isUsable: Bool {
        guard let mount else { return false }
        return access(mount + "/cgroup.procs", W_OK) == 0
    }
}
