#if canImport(Glibc)
import Glibc
#endif
import DevctlProcesses
import DevctlSystem
import Testing

/// devctl's own /proc reader on the live /proc of this machine, with this test process as the
/// sample: what one scan reads, and that it fails closed.
@Suite struct ProcessSnapshotScanTests {
    @Test func scanFindsThisProcessWithItsCommandLine() throws {
        let table = try ProcessSnapshot.scan(details: .everything)
        let me = try #require(table[getpid()])
        #expect(me.uid == geteuid())
        #expect(!me.arguments.isEmpty)
        #expect(table.lineage(of: getpid()).contains(getppid()))
        #expect(table.uptime > 0)
    }

    @Test func parsesThisProcessFromProc() throws {
        let stat = try #require(try ProcessStat.read(pid: getpid()))
        #expect(stat.pid == getpid())
        #expect(stat.startTime > 0)
    }

    @Test func aVanishedProcessIsGoneAndAnUnreadableOneAnError() throws {
        #expect(try ProcessStat.read(pid: 4_000_000) == nil, "no such PID: gone")
        #expect(throws: SystemCallError.self) { try ProcessStat.read(pid: 1, procRoot: "/etc/passwd") }
    }

    @Test func scanReadsCommandLinesOnlyWhereAsked() throws {
        #expect(try #require(try ProcessSnapshot.scan()[getpid()]).arguments.isEmpty)
        let table = try ProcessSnapshot.scan(details: .everything)
        #expect(try #require(table[getpid()]).arguments.isEmpty == false)
        #expect(try ProcessSnapshot.readEntry(pid: getpid())?.arguments == table[getpid()]?.arguments)
    }

    @Test func environmentKeysAreReadWithoutTheRestAndOnlyForTheOwnerAsked() throws {
        let request = ProcessDetailRequest(environmentKeys: ["PATH", "DEVCTL_NO_SUCH_VARIABLE"], owner: geteuid())
        let me = try #require(try ProcessSnapshot.scan(details: request)[getpid()])
        guard case .values(let values) = me.environment else { Issue.record("\(me.environment)"); return }
        #expect(values.keys.sorted() == ["PATH"])
        #expect(values["PATH"] == String(cString: getenv("PATH")))
        let nobody = ProcessDetailRequest(environmentKeys: ["PATH"], owner: 4_000_000)
        #expect(try ProcessSnapshot.scan(details: nobody)[getpid()]?.environment == .notRead)
    }

    /// As root this cannot tell the file owner from the real uid: the real uid of a non-dumpable
    /// process is proven by `OwnershipRuleTests.aNonDumpableServiceOfAnOrdinaryUserIsTheirsAndIsStopped`.
    @Test func eachProcessCarriesItsOwner() throws {
        #expect(try ProcessSnapshot.scan()[getpid()]?.uid == getuid())
        #expect(try ProcessSnapshot.scan()[1]?.uid == 0)
    }

    @Test func anUnreadableProcIsAnErrorNotAnEmptyMachine() {
        #expect(throws: SystemCallError.self) { try ProcessSnapshot.scan(procRoot: "/nonexistent-proc") }
        #expect(throws: SystemCallError.self) { try ProcessSnapshot.scan(procRoot: "/etc/passwd") }
    }
}
