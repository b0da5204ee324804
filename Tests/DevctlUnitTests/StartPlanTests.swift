import Testing
@testable import DevctlConfig
@testable import DevctlLifecycle
@testable import DevctlProcesses
@testable import DevctlTracking

/// What a start adopts, clears, spawns and refuses, from one inspection.
@Suite struct StartPlanTests {
    typealias F = SnapshotFixture

    static let config = ServicesConfig(project: "shop", root: F.root, file: F.root + "/services.json", stopTimeout: 3, services: [
        ServiceConfig(name: "db", command: .argv(["db"]), cwd: "/", healthcheck: HealthCheck(kind: .tcp(port: 5432))),
        ServiceConfig(name: "cache", command: .argv(["cache"]), cwd: "/", healthcheck: HealthCheck(kind: .tcp(port: 6379))),
        ServiceConfig(name: "api", command: .argv(["api"]), cwd: "/", dependsOn: ["db", "cache"]),
        ServiceConfig(name: "web", command: .argv(["web"]), cwd: "/"),
        ServiceConfig(name: "jobs", command: .argv(["jobs"]), cwd: "/"),
    ])

    static func runtime(_ name: String, leader: ProcessEntry? = nil, state: ServiceState, tracked: Int32? = nil,
                        unproven: String? = nil) -> ServiceRuntime {
        ServiceRuntime(name: name, config: config.service(named: name),
                       tracked: tracked.map { TrackedService(name: name, pid: $0, pgid: $0, startTime: 1) },
                       leader: leader, processes: leader.map { [$0] } ?? [], state: state,
                       note: state == .dead ? "exited" : nil, unproven: unproven)
    }

    @Test func runningServicesAreAdoptedAndOnlyThoseWithAHealthCheckAwaited() {
        let inspection = ServiceInspector.Inspection(services: [
            Self.runtime("db", leader: F.process(100), state: .running, tracked: 100),
            Self.runtime("cache", leader: F.process(110, state: "T"), state: .paused, tracked: 110),
            Self.runtime("api", state: .dead, tracked: 120),
            Self.runtime("web", leader: F.process(130), state: .running),
            Self.runtime("jobs", state: .dead, tracked: 140, unproven: "cannot read its /proc entry"),
        ], warnings: [], problems: [])
        let plan = StartPlan.make(targets: ["db", "cache", "api", "web", "jobs"], inspection: inspection, config: Self.config)
        #expect(plan.adopted.map(\.name) == ["db", "cache", "web"])
        #expect(plan.awaitingHealth == ["db": ProcessIdentity(pid: 100, startTime: 1000)], "a paused service is left frozen")
        #expect(plan.cleared.map(\.name) == ["api"])
        #expect(plan.toSpawn == ["api"])
        #expect(plan.unproven == ["jobs": "cannot read its /proc entry"], "never spawn a twin of what cannot be checked")
    }
}
