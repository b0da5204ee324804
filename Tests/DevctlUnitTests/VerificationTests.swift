import Testing
@testable import DevctlConfig
@testable import DevctlLifecycle
@testable import DevctlProcesses
@testable import DevctlTracking

/// Phase 5's verdict and which tracking entries stay, as pure functions of one scan.
@Suite struct VerificationTests {
    typealias F = SnapshotFixture

    static let config = ServicesConfig(project: "shop", root: F.root, file: F.root + "/services.json", stopTimeout: 3,
                                       services: [ServiceConfig(name: "api", command: .argv(["api"]), cwd: "/"),
                                                  ServiceConfig(name: "web", command: .argv(["web"]), cwd: "/")])

    /// api ran as 100 with a child 101; web as 200.
    static func plan() -> ShutdownPlan {
        let api = F.process(100), child = F.process(101, ppid: 100, sid: 100), web = F.process(200)
        let inspection = ServiceInspector.Inspection(services: [
            ServiceRuntime(name: "api", config: config.services[0], tracked: entry("api", 100), leader: api,
                           processes: [api, child], state: .running),
            ServiceRuntime(name: "web", config: config.services[1], tracked: entry("web", 200), leader: web,
                           processes: [web], state: .running),
        ], warnings: [], problems: [])
        return ShutdownPlan.make(project: Project(config: config), inspection: inspection, scan: F.scan([api, child, web]),
                                 names: [], force: false, timeout: nil)
    }

    static func entry(_ name: String, _ pid: Int32) -> TrackedService {
        TrackedService(name: name, pid: pid, pgid: pid, startTime: UInt64(pid) * 10)
    }

    static var ownership: Ownership { Ownership(marker: F.marker, services: nil, trackedSessions: [100, 200], patterns: [], root: F.root) }

    @Test func nothingLeftMeansNoStragglerAndNoEntryKept() {
        let scan = F.scan([])
        let verdict = Verification.judge(plan: Self.plan(), ownership: Self.ownership, scan: scan, portHolders: [:])
        #expect(verdict.stragglers.isEmpty && verdict.failures.isEmpty && verdict.foreignPortHolders.isEmpty)
        let kept = TrackingRetention.kept([Self.entry("api", 100), Self.entry("web", 200), Self.entry("old", 300)],
                                          plan: Self.plan(), stragglers: [], failures: [], scan: scan)
        #expect(kept.map(\.name) == ["old"], "entries of services this stop did not stop stay")
    }

    @Test func aSurvivorIsAStragglerOfItsServiceAndItsEntryStays() {
        let scan = F.scan([F.process(101, ppid: 1, sid: 100, pgid: 100)])
        let verdict = Verification.judge(plan: Self.plan(), ownership: Self.ownership, scan: scan, portHolders: [:])
        #expect(verdict.stragglers.map(\.pid) == [101])
        #expect(verdict.stragglers.first?.service == "api")
        let kept = TrackingRetention.kept([Self.entry("api", 100), Self.entry("web", 200)], plan: Self.plan(),
                                          stragglers: verdict.stragglers, failures: [], scan: scan)
        #expect(kept.map(\.name) == ["api"])
    }

    @Test func aLeaderThatRewroteItsEnvironmentAndLeftTheSessionIsStillAStraggler() {
        // Same identity as planned, though no rule would claim it any more.
        let ownership = Ownership(marker: F.marker, services: nil, trackedSessions: [], patterns: [], root: F.root)
        let verdict = Verification.judge(plan: Self.plan(), ownership: ownership, scan: F.scan([F.process(200)]), portHolders: [:])
        #expect(verdict.stragglers.map(\.pid) == [200])
    }

    @Test func anUnreadableProcessOfAServiceIsAFailureNotAPass() {
        let scan = F.scan([], unreadable: [101: F.permissionDenied])
        let verdict = Verification.judge(plan: Self.plan(), ownership: Self.ownership, scan: scan, portHolders: [:])
        #expect(verdict.failures.map(\.service) == ["api"])
        let kept = TrackingRetention.kept([Self.entry("api", 100), Self.entry("web", 200)], plan: Self.plan(),
                                          stragglers: [], failures: verdict.failures, scan: scan)
        #expect(kept.map(\.name) == ["api"])
    }

    @Test func aFailureTiedToNoServiceKeepsEveryStoppedEntry() {
        let kept = TrackingRetention.kept([Self.entry("api", 100), Self.entry("web", 200)], plan: Self.plan(), stragglers: [],
                                          failures: [StopFailure(service: nil, detail: "kill(-5, SIGKILL): EPERM")], scan: F.scan([]))
        #expect(kept.map(\.name) == ["api", "web"])
    }

    @Test func aPortHeldByTheProjectIsAStragglerAndByAStrangerAWarning() {
        let stranger = F.process(900, sid: 900, uid: 1001, arguments: ["nginx"])
        let leftover = F.process(901, sid: 100, pgid: 100, arguments: ["python3", "-m", "http.server"])
        let scan = F.scan([stranger, leftover])
        let holders: [Int: [PortHolder]] = [8000: [PortHolder(pid: 901, command: "python3 -m http.server")],
                                            80: [PortHolder(pid: 900, command: "nginx")],
                                            5432: [PortHolder(pid: nil, command: "port 5432 still in use")]]
        let verdict = Verification.judge(plan: Self.plan(), ownership: Self.ownership, scan: scan, portHolders: holders)
        #expect(verdict.stragglers.map(\.service).contains("port 8000"))
        #expect(verdict.foreignPortHolders.map(\.port) == [80, 5432])
    }
}
