import DevctlProcesses
import DevctlSupervision
import DevctlSystem
import DevctlTracking
import Testing

/// The keeper's restart rules (SPEC §1 `restart`, `restartDelay`, `maxRestarts`), one by one.
@Suite struct RestartDecisionTests {
    private func decide(_ policy: KeeperSpec.Restart, _ exit: DevctlProcesses.ExitStatus, ranFor: Double = 1,
                        standingDown: Bool = false, maxRestarts: Int = 10,
                        history: inout RestartDecision.History) -> RestartDecision {
        RestartDecision.decide(policy: policy, exit: exit, ranFor: ranFor, standingDown: standingDown, firstDelay: 1,
                               maxRestarts: maxRestarts, history: &history)
    }

    @Test func noNeverRestarts() {
        var history = RestartDecision.History(firstDelay: 1)
        #expect(decide(.no, .exited(1), history: &history) == .stay)
        #expect(decide(.no, .signalled(.kill), history: &history) == .stay)
        #expect(history.restarts == 0)
    }

    @Test func onFailureRestartsAfterANonZeroExitOrASignalButNotAfterZero() {
        var history = RestartDecision.History(firstDelay: 1)
        #expect(decide(.onFailure, .exited(0), history: &history) == .stay)
        #expect(decide(.onFailure, .exited(3), history: &history) == .restart(after: 1))
        #expect(decide(.onFailure, .signalled(.kill), history: &history) == .restart(after: 2))
    }

    @Test func alwaysRestartsAfterAnyExit() {
        var history = RestartDecision.History(firstDelay: 1)
        #expect(decide(.always, .exited(0), history: &history) == .restart(after: 1))
    }

    @Test func aStandDownRestartsNothing() {
        var history = RestartDecision.History(firstDelay: 1)
        #expect(decide(.always, .exited(1), standingDown: true, history: &history) == .stay)
    }

    @Test func theDelayDoublesForQuickRunsUpToThirtySeconds() {
        var history = RestartDecision.History(firstDelay: 1)
        let delays = (0..<7).map { _ in decide(.always, .exited(1), maxRestarts: 100, history: &history) }
        #expect(delays == [1, 2, 4, 8, 16, 30, 30].map { RestartDecision.restart(after: $0) })
    }

    @Test func aSteadyRunResetsTheDelayAndTheCount() {
        var history = RestartDecision.History(firstDelay: 1)
        for _ in 0..<3 { _ = decide(.always, .exited(1), maxRestarts: 3, history: &history) }
        #expect(decide(.always, .exited(1), ranFor: 31, maxRestarts: 3, history: &history) == .restart(after: 1))
        #expect(history.quickInARow == 1)
        #expect(history.restarts == 4)
    }

    @Test func maxRestartsMeansThatManyRestartsThenGivingUp() {
        var history = RestartDecision.History(firstDelay: 1)
        var decisions = [RestartDecision]()
        for _ in 0..<4 { decisions.append(decide(.onFailure, .exited(1), maxRestarts: 3, history: &history)) }
        #expect(decisions.last == .giveUp)
        #expect(decisions.dropLast().allSatisfy { if case .restart = $0 { true } else { false } })
        #expect(history.restarts == 3)
    }

    @Test func zeroMaxRestartsGivesUpAtOnce() {
        var history = RestartDecision.History(firstDelay: 1)
        #expect(decide(.always, .exited(1), maxRestarts: 0, history: &history) == .giveUp)
    }

    @Test func aConfiguredDelayLongerThanThirtySecondsIsNotCut() {
        var history = RestartDecision.History(firstDelay: 45)
        #expect(RestartDecision.decide(policy: .always, exit: .exited(1), ranFor: 1, standingDown: false, firstDelay: 45,
                                       maxRestarts: 5, history: &history) == .restart(after: 45))
        #expect(history.nextDelay == 45)
    }
}

/// What a keeper writes and `start` / `status` read back.
@Suite struct KeeperFilesTests {
    @Test func aRecordReadsBackAsWritten() {
        let record = SupervisionRecord(keeper: .init(pid: 10, startTime: 99), leader: .init(pid: 11, startTime: 100),
                                       state: .restarting, restarts: 2, lastExit: .init(.signalled(.kill), at: 1_733_000_000_123),
                                       restartAt: 1_733_000_002_000, daemonized: true)
        #expect(SupervisionRecord.parse(record.rendered) == record)
        let exited = SupervisionRecord(keeper: .init(pid: 10, startTime: 99), state: .dead, lastExit: .init(.exited(3), at: 5))
        #expect(SupervisionRecord.parse(exited.rendered) == exited)
    }

    @Test func aTornOrTamperedRecordIsNotBelieved() {
        #expect(SupervisionRecord.parse("state running\n") == nil, "no keeper")
        #expect(SupervisionRecord.parse("keeper 10 99\n") == nil, "no state")
        #expect(SupervisionRecord.parse("keeper 10 99\nstate sleeping\n") == nil)
        #expect(SupervisionRecord.parse("keeper -1 99\nstate dead\n") == nil)
        #expect(SupervisionRecord.parse("keeper 10 99\nstate dead\nexit code x 5\n") == nil)
    }

    @Test func aSpecCarriesAnyByteButNUL() {
        let spec = KeeperSpec(service: "api", root: "/p", arguments: ["/bin/sh", "-c", "echo 'a b'\nexit 3"],
                              environment: ["MULTI": "line one\nline two", "EMPTY": "", "EQ": "a=b"], workingDirectory: "/p/x",
                              cgroup: "/sys/fs/cgroup/devctl-x/api", displayCommand: "echo", restart: .onFailure,
                              restartDelay: 0.5, maxRestarts: 4, oneshot: true, logMaxBytes: 1024, logKeep: 2)
        #expect(KeeperSpec.decode(spec.encoded) == spec)
        var noCgroup = spec
        noCgroup.cgroup = nil
        #expect(KeeperSpec.decode(noCgroup.encoded) == noCgroup)
        #expect(KeeperSpec.decode(Array("service\0api\0".utf8)) == nil, "fields missing")
        #expect(KeeperSpec.decode(Array(spec.encoded.dropLast())) == nil, "cut short")
    }

    @Test func theHandshakeLine() {
        #expect(KeeperHandshake.parse(KeeperHandshake.started(.init(pid: 42, startTime: 7)).line) == .started(.init(pid: 42, startTime: 7)))
        #expect(KeeperHandshake.parse(KeeperHandshake.failed("'x' not found in PATH").line) == .failed("'x' not found in PATH"))
        #expect(KeeperHandshake.parse("") == nil)
        #expect(KeeperHandshake.parse("ok 0 7") == nil)
    }
}
