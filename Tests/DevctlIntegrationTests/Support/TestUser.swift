import DevctlTestSupport
import Foundation
import Testing

/// An ordinary user for the tests that must not run as root (postgres refuses to), made once with
/// `useradd` when missing, and the delegated cgroup folders such a user gets from systemd on a
/// real machine (the folder and its `cgroup.procs`, `cgroup.threads`, `cgroup.subtree_control`
/// owned by the user).
struct TestUser: Sendable {
    let name: String
    let uid: uid_t
    let gid: gid_t

    /// The user `name`, made if missing (needs root).
    static func named(_ name: String) throws -> TestUser {
        if getpwnam(name) == nil {
            let made = DevctlRunner.run(["-c", "useradd --system --no-create-home --shell /usr/sbin/nologin \(name)"],
                                        directory: "/", environment: ProcessInfo.processInfo.environment, shell: true)
            try #require(made.exitCode == 0 || getpwnam(name) != nil, "\(made)")
        }
        let entry = try #require(getpwnam(name))
        return TestUser(name: name, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }

    /// Gives `paths` to the user.
    func own(_ paths: String...) {
        for path in paths { #expect(chown(path, uid, gid) == 0, "chown \(path)") }
    }

    /// A folder below this process's cgroup, delegated to the user; remove it with `TestCgroups`.
    func delegatedCgroup(named name: String) throws -> String {
        let ownPath = try #require(KernelCgroup.path(of: getpid()))
        let folder = try #require(KernelCgroup.folder(of: ownPath)) + "/" + name
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        own(folder, folder + "/cgroup.procs", folder + "/cgroup.threads", folder + "/cgroup.subtree_control")
        return folder
    }

    /// A shell command that runs `command` as the user, from inside `cgroup` when given (the
    /// shell joins it as root, then drops to the user).
    func shell(_ command: String, inCgroup cgroup: String? = nil) -> String {
        let join = cgroup.map { "echo $$ > '\($0)/cgroup.procs' && " } ?? ""
        return join + "exec setpriv --reuid=\(uid) --regid=\(gid) --clear-groups " + command
    }

    /// devctl ARGS as the user in `project`.
    func devctl(_ arguments: [String], project: TestProject, inCgroup cgroup: String? = nil, timeout: Double = 120) -> RunResult {
        let command = shell("'\(DevctlRunner.binary)' " + arguments.map { "'\($0)'" }.joined(separator: " "), inCgroup: cgroup)
        return DevctlRunner.run(["-c", command], directory: project.root, environment: project.environment, shell: true,
                                timeout: timeout)
    }

    /// The live processes of the user.
    var processes: [KernelProcessEntry] {
        KernelProcessEntry.all().filter { !$0.isDead && KernelProcessStatus(pid: $0.pid)?.userID == uid }
    }
}
