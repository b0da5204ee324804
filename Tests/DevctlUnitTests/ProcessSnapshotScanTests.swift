#if canImport(Glibc)
import Glibc
#endif
import DevctlProcesses
import DevctlSystem
import Testing

/// What one scan of this machine's `/proc` reads, and that it fails closed: nothing here is
/// started, only devctl's own test process is read.
@Suite struct ProcessSnapshotScanTests {
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

    @Test func theRealUIDComesFromTheStatusFile() throws {
        #expect(try ProcessSnapshot.scan()[getpid()]?.uid == getuid())
        #expect(try ProcessSnapshot.scan()[1]?.uid == 0)
    }

    @Test func anUnreadableProcIsAnErrorNotAnEmptyMachine() {
        #expect(throws: SystemCallError.self) { try ProcessSnapshot.scan(procRoot: "/nonexistent-proc") }
        #expect(throws: SystemCallError.self) { try ProcessSnapshot.scan(procRoot: "/etc/passwd") }
    }
}
