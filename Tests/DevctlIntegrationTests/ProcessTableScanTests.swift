#if canImport(Glibc)
import Glibc
#endif
import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Testing

/// devctl's own /proc reader on the live /proc of this machine, with this test process as the
/// sample.
@Suite struct ProcessTableScanTests {
    @Test func scanFindsThisProcessWithItsCommandLine() throws {
        let table = ProcessTable.scan(withArguments: true)
        let me = try #require(table[getpid()])
        #expect(me.uid == geteuid())
        #expect(!me.arguments.isEmpty)
        #expect(table.lineage(of: getpid()).contains(getppid()))
        #expect(table.uptime > 0)
    }

    @Test func parsesThisProcessFromProc() throws {
        let stat = try #require(FileSystem.readBytes("/proc/self/stat").flatMap(ProcessStat.parse))
        #expect(stat.pid == getpid())
        #expect(stat.startTime > 0)
    }

    @Test func scanReadsCommandLinesOnlyWhereAsked() throws {
        #expect(try #require(ProcessTable.scan()[getpid()]).arguments.isEmpty)
        let table = ProcessTable.scan(withArguments: true)
        #expect(try #require(table[getpid()]).arguments.isEmpty == false)
        #expect(ProcessDetails.arguments(of: getpid()) == table[getpid()]?.arguments)
    }

    @Test func environmentKeysAreReadWithoutTheRest() throws {
        let values = try #require(ProcessDetails.environment(of: getpid(), keys: ["PATH", "DEVCTL_NO_SUCH_VARIABLE"]))
        #expect(values.keys.sorted() == ["PATH"])
        #expect(values["PATH"] == ProcessDetails.environment(of: getpid())?["PATH"])
    }
}
