import Testing
@testable import DevctlLifecycle
@testable import DevctlProcesses

/// Rules (a)–(c) of SPEC §4 and the guards, each on its own, as pure functions of one scan.
@Suite struct OwnershipTests {
    typealias F = SnapshotFixture

    static func rules(services: Set<String>? = nil, sessions: Set<Int32> = [], patterns: [String] = []) -> Ownership {
        Ownership(marker: F.marker, services: services, trackedSessions: sessions, patterns: patterns, root: F.root)
    }

    static func claim(_ process: ProcessEntry, _ rules: Ownership = rules()) -> OwnershipClaim? {
        rules.claim(for: process, in: F.scan([process]))
    }

    @Test func ruleAClaimsAProcessCarryingThisProjectsMarker() {
        #expect(Self.claim(F.process(100, environment: F.marked("api"))) == .marker(F.marker, service: "api"))
        #expect(Self.claim(F.process(100, environment: F.marked(nil))) == .marker(F.marker, service: nil))
    }

    @Test func ruleAIgnoresAnotherProjectsMarker() {
        #expect(Self.claim(F.process(100, environment: F.marked("api", project: "shop-ffffffffffffffff"))) == nil)
    }

    @Test func ruleAWithNamesClaimsOnlyTheNamedServices() {
        let named = Self.rules(services: ["api"])
        #expect(Self.claim(F.process(100, environment: F.marked("api")), named) != nil)
        #expect(Self.claim(F.process(100, environment: F.marked("web")), named) == nil)
        #expect(Self.claim(F.process(100, environment: F.marked(nil)), named) == nil)
    }

    @Test func ruleAFindsNothingInAnEnvironmentItCouldNotRead() {
        #expect(Self.claim(F.process(100, environment: .unreadable(F.permissionDenied))) == nil)
        #expect(Self.claim(F.process(100, environment: .notRead)) == nil)
    }

    @Test func ruleBClaimsMembersOfATrackedSessionOrGroupWhateverTheirEnvironment() {
        let rules = Self.rules(sessions: [300])
        #expect(Self.claim(F.process(301, ppid: 1, sid: 300, pgid: 301), rules) == .trackedSession(300))
        #expect(Self.claim(F.process(302, ppid: 1, sid: 302, pgid: 300), rules) == .trackedGroup(300))
        #expect(Self.claim(F.process(303, ppid: 1, sid: 303), rules) == nil)
    }

    @Test func ruleEClaimsWhatDescendsFromTheKeeperOfAServiceBeingStopped() {
        let rules = Ownership(marker: F.marker, services: ["api"], trackedSessions: [], patterns: [], root: F.root,
                              keepers: [200: "api"])
        // A daemon that left the session and wiped its environment, and its own child.
        let daemon = F.process(210, ppid: 200, sid: 210), child = F.process(211, ppid: 210, sid: 210)
        let stranger = F.process(220, ppid: 40, sid: 220)
        let scan = F.scan([F.process(200, ppid: 1, sid: 199), daemon, child, stranger])
        #expect(rules.claim(for: daemon, in: scan) == .keeper(service: "api", pid: 200))
        #expect(rules.claim(for: child, in: scan) == .keeper(service: "api", pid: 200))
        #expect(rules.claim(for: stranger, in: scan) == nil)
        #expect(rules.claim(for: scan.processes[200]!, in: scan) == nil, "the keeper itself is not its service's")
    }

    @Test func zombiesAreNeverClaimed() {
        #expect(Self.claim(F.process(100, state: "Z", environment: F.marked("api"))) == nil)
        #expect(Self.claim(F.process(301, sid: 300, state: "X"), Self.rules(sessions: [300])) == nil)
    }

    @Test func anotherUsersProcessIsNeverClaimedEvenWithTheMarkerOrInTheSession() {
        #expect(Self.claim(F.process(100, uid: 1001, environment: F.marked("api"))) == nil)
        #expect(Self.claim(F.process(301, sid: 300, uid: 0), Self.rules(sessions: [300])) == nil)
    }

    @Test func pid1AndDevctlWithItsAncestorsAreNeverClaimed() {
        let rules = Self.rules(sessions: [40, 1])
        let scan = F.scan([])
        for pid: Int32 in [1, 40, 50] {
            var entry = scan.processes[pid]!
            entry.environment = F.marked("api")
            #expect(rules.claim(for: entry, in: scan) == nil, "pid \(pid)")
        }
    }

    @Test func ruleCClaimsAPatternMatchRunningInsideTheRootWithoutATerminal() {
        let rules = Self.rules(patterns: ["vitest"])
        let worker = F.process(100, arguments: ["node", "vitest", "--watch"], cwd: F.root + "/web")
        #expect(Self.claim(worker, rules) == .pattern("vitest", workingDirectory: F.root + "/web"))
        #expect(Self.claim(F.process(101, arguments: ["vitest"], cwd: F.root), rules) != nil)
    }

    @Test func ruleCLeavesAPersonsProcessAtATerminalAlone() {
        let tail = F.process(100, tty: 34817, arguments: ["tail", "-f", "vitest.config.ts"], cwd: F.root)
        #expect(Self.claim(tail, Self.rules(patterns: ["vitest"])) == nil)
    }

    @Test func ruleCLeavesOutsideTheRootAndSiblingFoldersAlone() {
        let rules = Self.rules(patterns: ["vitest"])
        #expect(Self.claim(F.process(100, arguments: ["vitest"], cwd: "/home/dev/other"), rules) == nil)
        #expect(Self.claim(F.process(100, arguments: ["vitest"], cwd: F.root + "2/web"), rules) == nil)
        #expect(Self.claim(F.process(100, arguments: ["vitest"], cwd: nil), rules) == nil)
    }

    @Test func ruleCLeavesANestedProjectsServiceAlone() {
        let nested = F.process(100, arguments: ["vitest"], environment: F.marked("ui", project: "ui-1111111111111111"),
                               cwd: F.root + "/packages/ui")
        #expect(Self.claim(nested, Self.rules(patterns: ["vitest"])) == nil)
        let unreadable = F.process(101, arguments: ["vitest"], environment: .unreadable(F.permissionDenied), cwd: F.root)
        #expect(Self.claim(unreadable, Self.rules(patterns: ["vitest"])) == nil, "no proof it carries no other marker")
    }

    @Test func claimsListsEveryOwnedProcessInPIDOrder() {
        let scan = F.scan([F.process(300), F.process(120, environment: F.marked("api")), F.process(301, sid: 300),
                           F.process(999, environment: F.marked(nil, project: "x"))])
        #expect(Self.rules(sessions: [300]).claims(in: scan).map(\.process.pid) == [120, 300, 301])
    }
}
