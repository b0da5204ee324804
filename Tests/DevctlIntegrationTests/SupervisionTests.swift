#if canImport(Glibc)
import Glibc
#endif
import DevctlTestSupport
import Foundation
import Testing

/// Supervision (SPEC §5), judged from outside: who the keeper is and where it sits, what `status`
/// says about how a service ended, what becomes of orphans and of a killed keeper. Restart
/// policies, back-off and stops that race restarts are in SupervisionTests+Restarts.swift; what
/// devctl says at the very moment a keeper acts, in SupervisionTests+Moments.swift.
///
/// A service that must end on cue waits for a gate file (`go`) the test creates, so `start`
/// always sees it running through its settle and the test decides when it exits.
@Suite struct SupervisionTests {
    /// A shell command that waits for the file `go` in the project root, then runs `then`.
    static func gated(_ then: String) -> String {
        "while [ ! -e go ]; do sleep 0.05; done; \(then)"
    }

    /// Waits until a run that ends for good has been recorded: a keeper that restarts nothing
    /// leaves once it has written how its service ended, so its record is final then. (Without a
    /// keeper there is nothing to wait for but the leader.)
    static func awaitEnd(of leader: pid_t, keeper: KernelProcessEntry?, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(KernelProcessEntry.waitUntilDead(leader, timeout: 10), "the service did not end", sourceLocation: sourceLocation)
        if let keeper {
            #expect(KernelProcessEntry.waitUntilDead(keeper.pid, timeout: 10), "its keeper stays", sourceLocation: sourceLocation)
        }
    }

    /// The `exit` object of a service in `status --json`.
    static func exit(_ service: [String: Any]?) -> [String: Any]? {
        service?["exit"] as? [String: Any]
    }

    @Test func keeperIsTheLeadersParentInItsOwnSessionOutsideTheServiceAndNotCountedAsOneOfItsProcesses() throws {
        let project = TestProject(shapes: ["svc": .sleeps])
        defer { project.cleanUp() }
        let start = project.devctl("start")
        try #require(start.exitCode == 0, "\(start)")
        let leader = try #require(project.trackedPIDs["svc"], "\(start)")
        let parent = try #require(KernelProcessEntry(pid: leader)?.parent)
        let keeper = try #require(KernelProcessEntry(pid: parent))
        try #require(keeper.arguments.first?.hasSuffix("/devctl-keeper") == true,
                     "the leader's parent is \(keeper.pid) (\(keeper.commandLine)), not a keeper")
        // A double fork: the keeper is alone in the session its first process made (and so can
        // never gain a controlling terminal), not in the runner's, devctl's or its service's.
        let sessionMates = KernelProcessEntry.all().filter { $0.session == keeper.session && !$0.isDead }.map(\.pid)
        #expect(sessionMates == [keeper.pid], "the keeper shares session \(keeper.session) with \(sessionMates)")
        #expect(keeper.processGroup == keeper.session)
        #expect(keeper.session != getsid(0), "the keeper is in the test runner's session")
        #expect(keeper.session != leader)
        let environment = try #require(KernelProcessEntry.environment(of: keeper.pid))
        #expect(environment["DEVCTL_PROJECT"] == nil, "the keeper carries the project's marker: a sweep would take it for the service's")
        #expect(environment["DEVCTL_TEST_ID"] == nil)

        let (status, services) = try project.statusJSON()
        if KernelCgroup.isUsable {
            #expect(status.stdout.contains(#""containment":"cgroup""#), "\(status)")
            let serviceCgroup = try #require(KernelCgroup.path(of: leader))
            #expect(services["svc"]?["cgroup"] as? String == serviceCgroup, "\(status)")
            let keeperCgroup = try #require(KernelCgroup.path(of: keeper.pid))
            #expect(keeperCgroup != serviceCgroup, "the keeper is in its service's cgroup")
            #expect(!keeperCgroup.contains("/devctl-" + project.marker), "the keeper is in the project's cgroups: \(keeperCgroup)")
            let folder = try #require(KernelCgroup.folder(of: serviceCgroup))
            #expect(KernelCgroup.members(ofFolder: folder) == [leader])
        }
        // `sleep 300` is executed directly: one process, whatever runs beside it.
        #expect(KernelProcessEntry.tree(of: leader).map(\.pid) == [leader])
        #expect(services["svc"]?["processes"] as? Int == 1, "\(status)")
        #expect(services["svc"]?["supervised"] as? Bool == true, "\(status)")
    }

    @Test func exitCodeIsRecordedWithItsTimeAndShownByStatus() throws {
        let project = TestProject(shapes: ["svc": .shell(Self.gated("exit 3"))])
        defer { project.cleanUp() }
        let start = project.devctl("start")
        try #require(start.exitCode == 0, "\(start)")
        let leader = try #require(project.trackedPIDs["svc"], "\(start)")
        let keeper = project.keeper(of: leader)
        let before = Date()
        project.touch("go")
        Self.awaitEnd(of: leader, keeper: keeper)
        let service = try #require(project.statusJSON(of: "svc"))
        #expect(service["state"] as? String == "dead", "\(service)")
        let exit = try #require(Self.exit(service), "no exit record: \(service)")
        #expect(exit["code"] as? Int == 3, "\(exit)")
        #expect(exit["signal"] is NSNull, "\(exit)")
        let at = try #require(exit["at"] as? String, "\(exit)")
        let time = try #require(StampedLine.date(ofStamp: at), "exit.at is not RFC 3339 UTC with milliseconds: \(at)")
        #expect(time > before.addingTimeInterval(-1) && time < Date().addingTimeInterval(1), "exit.at \(at) is not the time it exited")
        #expect(service["restarts"] as? Int == 0)
        let (status, row) = project.statusRow("svc")
        #expect(status.exitCode == 3, "\(status)")
        #expect(row?.contains("dead (exit 3, ") == true, "\(status)")
    }

    @Test func deathBySignalIsRecordedAndShownByStatus() throws {
        let project = TestProject(shapes: ["svc": .sleeps])
        defer { project.cleanUp() }
        let start = project.devctl("start")
        try #require(start.exitCode == 0, "\(start)")
        let leader = try #require(project.trackedPIDs["svc"], "\(start)")
        let keeper = project.keeper(of: leader)
        kill(leader, SIGKILL)
        Self.awaitEnd(of: leader, keeper: keeper)
        let service = try #require(project.statusJSON(of: "svc"))
        #expect(service["state"] as? String == "dead", "\(service)")
        let exit = try #require(Self.exit(service), "no exit record: \(service)")
        #expect(exit["signal"] as? String == "SIGKILL", "\(exit)")
        #expect(exit["code"] is NSNull, "\(exit)")
        #expect((exit["at"] as? String).flatMap(StampedLine.date(ofStamp:)) != nil, "exit.at is not RFC 3339 UTC with milliseconds: \(exit)")
        let (status, row) = project.statusRow("svc")
        #expect(status.exitCode == 3, "\(status)")
        #expect(row?.contains("dead (SIGKILL, ") == true, "\(status)")
    }

    @Test func killingTheKeeperLeavesTheServiceRunningUnsupervisedAndStopStillTakesItDown() throws {
        let project = TestProject(shapes: ["svc": .sleeps])
        defer { project.cleanUp() }
        let start = project.devctl("start")
        try #require(start.exitCode == 0, "\(start)")
        let leader = try #require(project.trackedPIDs["svc"], "\(start)")
        let keeper = try #require(project.keeper(of: leader), "the leader's parent is not a keeper")
        kill(keeper.pid, SIGKILL)
        #expect(KernelProcessEntry.waitUntilDead(keeper.pid, timeout: 10))
        #expect(KernelProcessEntry.isAlive(leader), "the service died with its keeper")

        let (status, row) = project.statusRow("svc")
        #expect(status.exitCode == 0, "a service running without its keeper still runs: \(status)")
        #expect(row?.contains("running (unsupervised)") == true, "\(status)")
        let service = project.statusJSON(of: "svc")
        #expect(service?["state"] as? String == "running", "\(String(describing: service))")
        #expect(service?["supervised"] as? Bool == false, "\(String(describing: service))")
        #expect(service?["pid"] as? Int == Int(leader))

        let stop = project.devctl("stop")
        #expect(stop.exitCode == 0, "\(stop)")
        #expect(KernelProcessEntry.waitUntilDead(leader), "the unsupervised leader survived the stop")
        #expect(project.projectProcesses.isEmpty, "left: \(project.projectProcesses)")
    }

    @Test func orphansOfTheServiceAreReparentedToItsKeeperAndReaped() throws {
        let project = TestProject(shapes: ["svc": .shell("(sleep 3 &) ; exec sleep 300")])
        defer { project.cleanUp() }
        let start = project.devctl("start")
        try #require(start.exitCode == 0, "\(start)")
        let leader = try #require(project.trackedPIDs["svc"], "\(start)")
        let keeper = try #require(project.keeper(of: leader), "the leader's parent is not a keeper")
        // Found once the subshell that started it is gone and it has a new parent.
        var found: KernelProcessEntry?
        TestProcesses.waitUntil {
            let marked = project.markedProcesses
            found = marked.compactMap(KernelProcessEntry.init(pid:)).first { $0.arguments == ["sleep", "3"] && !marked.contains($0.parent) }
            return found != nil
        }
        let orphan = try #require(found, "no orphaned 'sleep 3': \(project.markedProcesses)")
        #expect(orphan.parent == keeper.pid, "the orphan's parent is \(orphan.parent), not the keeper \(keeper.pid)")
        #expect(KernelProcessEntry.waitUntilDead(orphan.pid, timeout: 10), "the orphan did not end")
        let reaped = TestProcesses.waitUntil(timeout: 1) {
            KernelProcessEntry(pid: orphan.pid).map { $0.startTime != orphan.startTime } ?? true
        }
        #expect(reaped, "the orphan is left a zombie: \(KernelProcessEntry(pid: orphan.pid).map { "state \($0.state), parent \($0.parent)" } ?? "")")
        #expect(KernelProcessEntry.isAlive(leader))
        #expect(KernelProcessEntry.isAlive(keeper.pid))
    }
}
