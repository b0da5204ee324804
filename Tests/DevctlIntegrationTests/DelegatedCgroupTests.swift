import DevctlTestSupport
import Foundation
import Testing

/// Cgroup containment for an ordinary user: devctl runs as a user whose own cgroup is a folder
/// delegated to it, as systemd delegates `user@UID.service` (the folder, its `cgroup.procs`,
/// `cgroup.threads` and `cgroup.subtree_control` owned by the user), and makes its services'
/// cgroups inside it. Needs root to make the user and the folder.
@Suite(.enabled(if: geteuid() == 0 && KernelCgroup.isUsable, "needs root and a writable cgroup2 hierarchy"))
struct DelegatedCgroupTests {
    @Test func anOrdinaryUserGetsCgroupContainmentInsideItsDelegatedFolder() throws {
        let user = try TestUser.named("devctl-ci")
        let project = TestProject(#"{"services": [{"name": "web", "command": "env -i setsid sh -c 'cd / && sleep 360 &' ; exec sleep 361"}]}"#)
        defer { project.cleanUp() }
        user.own(project.root, project.root + "/services.json")
        let folder = try user.delegatedCgroup(named: "devctl-delegated-" + project.testID)
        defer { TestCgroups.remove(folder) }

        let start = user.devctl(["start"], project: project, inCgroup: folder)
        #expect(start.exitCode == 0, "\(start)")
        let pid = try #require(project.trackedPIDs["web"])
        #expect(KernelProcessStatus(pid: pid)?.userID == user.uid)
        let expected = try #require(KernelCgroup.path(of: getpid())).replacingOccurrences(of: "//", with: "/")
        let service = (expected == "/" ? "" : expected) + "/devctl-delegated-\(project.testID)/devctl-\(project.marker)/web"
        #expect(KernelCgroup.path(of: pid) == service)
        TestProcesses.waitUntil { KernelCgroup.members(ofFolder: folder + "/devctl-\(project.marker)/web").count == 2 }
        let members = KernelCgroup.members(ofFolder: folder + "/devctl-\(project.marker)/web")
        #expect(members.count == 2, "the escaped child is not in the service's cgroup")

        let status = user.devctl(["status"], project: project, inCgroup: folder)
        #expect(status.exitCode == 0, "\(status)")
        #expect(status.stdout.contains("containment: cgroup"), "\(status)")

        let stop = user.devctl(["stop"], project: project, inCgroup: folder)
        #expect(stop.exitCode == 0, "\(stop)")
        for member in members { #expect(KernelProcessEntry.waitUntilDead(member), "pid \(member) survived") }
        let left = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.filter { $0.hasPrefix("devctl-") } ?? []
        #expect(left.isEmpty, "cgroups left in the delegated folder: \(left)")
    }

    @Test func requiredCgroupsAreRefusedWhereTheUserMayNotMakeThem() throws {
        let user = try TestUser.named("devctl-ci")
        let project = TestProject(#"{"containment": "cgroup", "services": [{"name": "web", "command": ["sleep", "362"]}]}"#)
        defer { project.cleanUp() }
        user.own(project.root)
        let start = user.devctl(["start"], project: project)
        #expect(start.exitCode == 1, "\(start)")
        #expect(start.stderr.contains("requires \"containment\": \"cgroup\", but devctl may not create cgroups"), "\(start)")
        #expect(project.trackedPIDs.isEmpty, "a service started without the containment it requires")
    }
}
