import DevctlTestSupport
import Foundation
import Testing

/// Cgroup containment for an ordinary user: devctl runs as a user whose own cgroup is a folder
/// delegated to it, as systemd delegates `user@UID.service` (the folder, its `cgroup.procs`,
/// `cgroup.threads` and `cgroup.subtree_control` owned by the user), and makes its services'
/// cgroups inside it. Needs root to make the user and the folder.
@Suite(.enabled(if: geteuid() == 0 && KernelCgroup.isUsable, "needs root and a writable cgroup2 hierarchy"))
struct DelegatedCgroupTests {
    static let user = "devctl-ci"

    /// The test user's uid and gid, made once if missing.
    static func account() throws -> (uid: uid_t, gid: gid_t) {
        if getpwnam(user) == nil {
            let made = DevctlRunner.run(["-c", "useradd --system --no-create-home --shell /usr/sbin/nologin \(user)"],
                                        directory: "/", environment: ProcessInfo.processInfo.environment, shell: true)
            try #require(made.exitCode == 0 || getpwnam(user) != nil, "\(made)")
        }
        let entry = try #require(getpwnam(user))
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    /// A folder below this process's cgroup, delegated to the user.
    static func delegatedFolder(_ project: TestProject, to account: (uid: uid_t, gid: gid_t)) throws -> String {
        let ownPath = try #require(KernelCgroup.path(of: getpid()))
        let folder = try #require(KernelCgroup.folder(of: ownPath)) + "/devctl-delegated-" + project.testID
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        for path in [folder, folder + "/cgroup.procs", folder + "/cgroup.threads", folder + "/cgroup.subtree_control"] {
            #expect(chown(path, account.uid, account.gid) == 0, "chown \(path)")
        }
        return folder
    }

    /// devctl ARGS as the user, from inside `folder` (the shell joins it, then drops to the user).
    static func devctl(_ arguments: [String], as account: (uid: uid_t, gid: gid_t), in folder: String,
                       project: TestProject) -> RunResult {
        let command = "echo $$ > '\(folder)/cgroup.procs' && exec setpriv --reuid=\(account.uid) --regid=\(account.gid) "
            + "--clear-groups '\(DevctlRunner.binary)' " + arguments.map { "'\($0)'" }.joined(separator: " ")
        return DevctlRunner.run(["-c", command], directory: project.root, environment: project.environment, shell: true)
    }

    @Test func anOrdinaryUserGetsCgroupContainmentInsideItsDelegatedFolder() throws {
        let account = try Self.account()
        let project = TestProject(#"{"services": [{"name": "web", "command": "env -i setsid sh -c 'cd / && sleep 360 &' ; exec sleep 361"}]}"#)
        defer { project.cleanUp() }
        #expect(chown(project.root, account.uid, account.gid) == 0)
        #expect(chown(project.root + "/services.json", account.uid, account.gid) == 0)
        let folder = try Self.delegatedFolder(project, to: account)
        defer { TestCgroups.remove(folder) }

        let start = Self.devctl(["start"], as: account, in: folder, project: project)
        #expect(start.exitCode == 0, "\(start)")
        let pid = try #require(project.trackedPIDs["web"])
        #expect(KernelProcessStatus(pid: pid)?.userID == account.uid)
        let expected = try #require(KernelCgroup.path(of: getpid())).replacingOccurrences(of: "//", with: "/")
        let service = (expected == "/" ? "" : expected) + "/devctl-delegated-\(project.testID)/devctl-\(project.marker)/web"
        #expect(KernelCgroup.path(of: pid) == service)
        TestProcesses.waitUntil { KernelCgroup.members(ofFolder: folder + "/devctl-\(project.marker)/web").count == 2 }
        let members = KernelCgroup.members(ofFolder: folder + "/devctl-\(project.marker)/web")
        #expect(members.count == 2, "the escaped child is not in the service's cgroup")

        let status = Self.devctl(["status"], as: account, in: folder, project: project)
        #expect(status.exitCode == 0, "\(status)")
        #expect(status.stdout.contains("containment: cgroup"), "\(status)")

        let stop = Self.devctl(["stop"], as: account, in: folder, project: project)
        #expect(stop.exitCode == 0, "\(stop)")
        for member in members { #expect(KernelProcessEntry.waitUntilDead(member), "pid \(member) survived") }
        let left = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.filter { $0.hasPrefix("devctl-") } ?? []
        #expect(left.isEmpty, "cgroups left in the delegated folder: \(left)")
    }

    @Test func requiredCgroupsAreRefusedWhereTheUserMayNotMakeThem() throws {
        let account = try Self.account()
        let project = TestProject(#"{"containment": "cgroup", "services": [{"name": "web", "command": ["sleep", "362"]}]}"#)
        defer { project.cleanUp() }
        #expect(chown(project.root, account.uid, account.gid) == 0)
        let command = "exec setpriv --reuid=\(account.uid) --regid=\(account.gid) --clear-groups '\(DevctlRunner.binary)' start"
        let start = DevctlRunner.run(["-c", command], directory: project.root, environment: project.environment, shell: true)
        #expect(start.exitCode == 1, "\(start)")
        #expect(start.stderr.contains("requires \"containment\": \"cgroup\", but devctl may not create cgroups"), "\(start)")
        #expect(project.trackedPIDs.isEmpty, "a service started without the containment it requires")
    }
}
