#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import DevctlCLI
@testable import DevctlConfig
@testable import DevctlLifecycle
@testable import DevctlProcesses
@testable import DevctlSystem
@testable import DevctlText
@testable import DevctlTracking

/// `ShutdownPlan.make` as the pure function it is: a configuration, an inspection and a scan in,
/// targets with what blocks them, their signals and grace, and the project's sessions out. No
/// process is started.
@Suite struct ShutdownPlanTests {
    /// web -> api -> db; worker -> db; docs alone. api stops with INT after 5 s, web with HUP.
    static let config = ServicesConfig(project: "shop", root: "/nonexistent/shop", file: "/nonexistent/shop/services.json",
                                       stopTimeout: 3, services: [
        ServiceConfig(name: "db", command: .argv(["db"]), cwd: "/"),
        ServiceConfig(name: "api", command: .argv(["api"]), cwd: "/", dependsOn: ["db"], stopSignal: .int, stopTimeout: 5),
        ServiceConfig(name: "web", command: .argv(["web"]), cwd: "/", dependsOn: ["api"], stopSignal: .hup, stopTimeout: 3),
        ServiceConfig(name: "worker", command: .argv(["worker"]), cwd: "/", dependsOn: ["db"]),
        ServiceConfig(name: "docs", command: .shell("docs"), cwd: "/"),
    ])
    static let project = Project(config: config)

    /// A running leader with the given PID (PGID = SID = PID) and one child.
    static func running(_ name: String, pid: Int32) -> ServiceRuntime {
        let leader = SnapshotFixture.process(pid, arguments: [name])
        let child = SnapshotFixture.process(pid + 1, ppid: pid, sid: pid, start: UInt64(pid) * 10 + 1)
        return ServiceRuntime(name: name, config: config.service(named: name),
                              tracked: TrackedService(name: name, pid: pid, pgid: pid, startTime: leader.stat.startTime),
                              leader: leader, processes: [leader, child], state: .running)
    }

    /// Every configured service running except `worker`, which is dead; plus `legacy`, still tracked
    /// but no longer in services.json.
    static let inspection: ServiceInspector.Inspection = {
        var services = ["db", "api", "web", "docs"].enumerated().map { index, name in running(name, pid: Int32(100 * (index + 1))) }
        services.insert(ServiceRuntime(name: "worker", config: config.service(named: "worker"),
                                       tracked: TrackedService(name: "worker", pid: 999, pgid: 999, startTime: 1),
                                       leader: nil, processes: [], state: .dead, note: "exited"), at: 3)
        var legacy = running("legacy", pid: 700)
        legacy.config = nil
        services.append(legacy)
        return ServiceInspector.Inspection(services: services, warnings: [], problems: [])
    }()

    static func plan(_ names: [String] = [], force: Bool = false, timeout: Double? = nil,
                     scan: ProjectScan = SnapshotFixture.scan([])) -> ShutdownPlan {
        ShutdownPlan.make(project: project, inspection: inspection, scan: scan, names: names, force: force, timeout: timeout)
    }

    static func blockers(_ plan: ShutdownPlan) -> [String: [String]] {
        Dictionary(uniqueKeysWithValues: plan.targets.map { ($0.name, $0.blockers.sorted()) })
    }

    @Test func eachServiceWaitsOnlyForTheTargetsThatDependOnIt() {
        let plan = Self.plan()
        #expect(Self.blockers(plan) == ["legacy": [], "web": [], "worker": [], "docs": [], "api": ["web"], "db": ["api", "worker"]])
        let position = Dictionary(uniqueKeysWithValues: plan.targets.enumerated().map { ($1.name, $0) })
        for target in plan.targets {
            for blocker in target.blockers { #expect(position[blocker]! < position[target.name]!, "\(blocker) before \(target.name)") }
        }
        #expect(plan.isFullStop)
    }

    @Test func namesLimitThePlanAndItsBlockers() {
        let plan = Self.plan(["db", "worker"])
        #expect(Self.blockers(plan) == ["worker": [], "db": ["worker"]])
        #expect(!plan.isFullStop, "a named stop must not sweep by pattern or touch compose")
        #expect(Self.blockers(Self.plan(["docs"])) == ["docs": []])
        #expect(Self.blockers(Self.plan(["db"])) == ["db": []], "a dependent that is not stopped is not waited for")
    }

    @Test func trackedSessionsAreLiveLeadersAndDeadLeadersWhosePIDIsFree() {
        #expect(Self.plan().trackedSessions == [100, 200, 300, 400, 700, 999])
        let reused = SnapshotFixture.scan([SnapshotFixture.process(999, start: 5)])
        #expect(!Self.plan(scan: reused).trackedSessions.contains(999), "worker's PID now names another process")
        let zombie = SnapshotFixture.scan([SnapshotFixture.process(999, state: "Z", start: 1)])
        #expect(Self.plan(scan: zombie).trackedSessions.contains(999))
    }

    @Test func stopSignalAndGraceComeFromEachService() {
        let targets = Dictionary(uniqueKeysWithValues: Self.plan().targets.map { ($0.name, $0) })
        #expect(targets["api"]?.signal == .interrupt)
        #expect(targets["api"]?.timeout == 5)
        #expect(targets["web"]?.signal == .hangup)
        #expect(targets["db"]?.signal == .terminate)
        #expect(targets["db"]?.timeout == 3)
        // Not in services.json: the defaults, SIGTERM and the project's stopTimeout.
        #expect(targets["legacy"]?.signal == .terminate)
        #expect(targets["legacy"]?.timeout == 3)
    }

    @Test func timeoutOverridesEveryServicesGrace() {
        let plan = Self.plan(timeout: 0.25)
        #expect(plan.targets.allSatisfy { $0.timeout == 0.25 })
        #expect(plan.targets.first { $0.name == "api" }?.signal == .interrupt, "--timeout changes the grace, not the signal")
        #expect(Self.plan(force: true).force)
    }

    @Test func targetsCarryTheirLeaderGroupAndWholeTree() {
        let targets = Dictionary(uniqueKeysWithValues: Self.plan().targets.map { ($0.name, $0) })
        let api = targets["api"]
        #expect(api?.leader == ProcessIdentity(pid: 200, startTime: 2000))
        #expect(api?.group == 200)
        #expect(api?.processes.map(\.pid) == [200, 201])
        #expect(api?.note == nil)
        let worker = targets["worker"]
        #expect(worker?.leader == nil && worker?.group == nil && worker?.processes.isEmpty == true)
        #expect(worker?.note == "exited", "a dead entry says why, for the account")
    }
}
