import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation
import Testing

/// The /proc/net/tcp parser on the machine's live table.
@Suite struct ProcNetTCPTests {
    @Test func findsALiveListenerInTheKernelTable() throws {
        let listener = try LoopbackSocket()
        defer { listener.close() }
        let entries = ProcNetTCP.parse(try String(contentsOfFile: "/proc/net/tcp", encoding: .utf8))
        let mine = entries.filter { $0.localPort == listener.port && $0.isListening }
        #expect(mine.count == 1)
        #expect(mine.first.map { $0.inode > 0 } == true)
    }
}
