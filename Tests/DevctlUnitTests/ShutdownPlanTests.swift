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

/// `ShutdownPlan.make` as the pure function it is: a configuration and an inspection in, waves of
/// targets with their signals and grace out. No process is started.
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
        let leader = ProcessEntry(stat: ProcessStat(pid: pid, comm: name, state: "S", ppid: 1, pgid: pid, sid: pid,
                                                    cpuTicks: 0, startTime: UInt64(pid) * 10, rssPages: 1),
                                  uid: 1000, arguments: [name])
        var child = leader
        child.stat.pid = pid + 1
        child.stat.ppid = pid
        child.stat.startTime += 1
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

    static func plan(_ names: [String] = [], force: Bool = false, timeout: Double? = nil) -> ShutdownPlan {
        ShutdownPlan.make(project: project, inspection: inspection, names: names, force: force, timeout: timeout)
    }

    static func waves(_ plan: ShutdownPlan) -> [[String]] { plan.waves.map { $0.map(\.name) } }

    @Test func dependentsComeInEarlierWavesThanTheirDependencies() {
        let plan = Self.plan()
        #expect(Self.waves(plan) == [["legacy"], ["web", "worker", "docs"], ["api"], ["db"]])
        let wave = Dictionary(uniqueKeysWithValues: plan.waves.enumerated().flatMap { index, wave in wave.map { ($0.name, index) } })
        for service in Self.config.services {
            for dependency in service.dependsOn {
                #expect(wave[service.name]! < wave[dependency]!, "\(service.name) must stop before \(dependency)")
            }
        }
        #expect(plan.isFullStop)
    }

    @Test func namesLimitThePlanAndKeepTheirOrder() {
        let plan = Self.plan(["db", "worker"])
        #expect(Self.waves(plan) == [["worker"], ["db"]])
        #expect(Self.waves(Self.plan(["api", "web", "db"])) == [["web"], ["api"], ["db"]])
        #expect(!plan.isFullStop, "a named stop must not sweep by pattern or touch compose")
        #expect(Self.waves(Self.plan(["docs"])) == [["docs"]])
        #expect(Self.waves(Self.plan(["legacy", "api"])) == [["legacy"], ["api"]])
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
