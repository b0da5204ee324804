import Testing
@testable import DevctlLifecycle
@testable import DevctlProcesses
@testable import DevctlSystem
@testable import DevctlTracking

/// Which tracking entry to believe, rule by rule.
@Suite struct TrackedEntryVerdictTests {
    typealias F = SnapshotFixture

    static func entry(_ name: String = "redis", pid: Int32 = 100, pgid: Int32? = nil, start: UInt64? = 1000) -> TrackedService {
        TrackedService(name: name, pid: pid, pgid: pgid ?? pid, startTime: start)
    }

    static func judge(_ entry: TrackedService, _ processes: [ProcessEntry],
                      unreadable: [Int32: SystemCallError] = [:]) -> TrackedEntryVerdict {
        TrackedEntryVerdict.judge(entry, marker: F.marker, scan: F.scan(processes, unreadable: unreadable))
    }

    @Test func aRecordedLeaderIsTrustedOnItsIdentityAfterRewritingItsEnvironment() {
        // redis and nginx overwrite their environment when they set their process title.
        let redis = F.process(100, start: 1000, arguments: ["redis-server *:6379"], environment: .values([:]))
        #expect(Self.judge(Self.entry(), [redis]) == .trusted(redis))
        let unreadable = F.process(100, start: 1000, environment: .unreadable(F.permissionDenied))
        #expect(Self.judge(Self.entry(), [unreadable]) == .trusted(unreadable), "a non-dumpable leader")
    }

    @Test func aProcessThatIsNotASessionLeaderNeedsTheMarker() {
        let stranger = F.process(100, sid: 40, pgid: 100, start: 1000)
        guard case .untrusted(let reason) = Self.judge(Self.entry(), [stranger]) else { Issue.record("trusted"); return }
        #expect(reason.contains("not started by this project"))
        let marked = F.process(100, sid: 40, pgid: 100, start: 1000, environment: F.marked("redis"))
        #expect(Self.judge(Self.entry(), [marked]) == .trusted(marked))
    }

    @Test func aGoneOrZombieLeaderMeansDead() {
        #expect(Self.judge(Self.entry(), []) == .gone("exited"))
        #expect(Self.judge(Self.entry(), [F.process(100, state: "Z", start: 1000)]) == .gone("exited"))
    }

    @Test func aReusedPIDIsNeverBelieved() {
        #expect(Self.judge(Self.entry(), [F.process(100, start: 2000)]) == .untrusted("PID reused (start time differs)"))
    }

    @Test func pid1DevctlAndItsAncestorsAreNeverServices() {
        #expect(Self.judge(Self.entry(pid: 1), []) == .untrusted("PID 1 is never a service"))
        for pid: Int32 in [40, 50] {
            guard case .untrusted = Self.judge(Self.entry(pid: pid, start: UInt64(pid) * 10), []) else {
                Issue.record("pid \(pid) believed")
                continue
            }
        }
    }

    @Test func anotherUsersProcessIsNeverBelieved() {
        let foreign = F.process(100, uid: 1001, start: 1000, environment: F.marked("redis"))
        #expect(Self.judge(Self.entry(), [foreign]) == .untrusted("PID 100 belongs to another user (uid 1001)"))
    }

    @Test func aLeaderThatLeftItsRecordedGroupIsNotBelieved() {
        #expect(Self.judge(Self.entry(pgid: 90), [F.process(100, start: 1000)])
                == .untrusted("PID 100 is no longer in process group 90"))
    }

    @Test func anotherServicesLeaderIsNotBelievedForThisOne() {
        let web = F.process(100, start: 1000, environment: F.marked("web"))
        #expect(Self.judge(Self.entry("api"), [web]) == .untrusted("PID 100 is service 'web', not 'api'"))
    }

    @Test func aLegacyEntryWithoutStartTimeNeedsTheMarker() {
        let marked = F.process(100, environment: F.marked("redis"))
        #expect(Self.judge(Self.entry(start: nil), [marked]) == .trusted(marked))
        guard case .untrusted = Self.judge(Self.entry(start: nil), [F.process(100)]) else { Issue.record("believed"); return }
        guard case .unproven = Self.judge(Self.entry(start: nil), [F.process(100, environment: .unreadable(F.permissionDenied))])
        else { Issue.record("an unreadable environment proved something"); return }
    }

    @Test func anUnreadableProcEntryProvesNothing() {
        guard case .unproven(let reason) = Self.judge(Self.entry(), [], unreadable: [100: F.permissionDenied]) else {
            Issue.record("judged without its /proc entry")
            return
        }
        #expect(reason.contains("Permission denied"))
    }
}
