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

@Suite struct ProcessTableScanTests {
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
