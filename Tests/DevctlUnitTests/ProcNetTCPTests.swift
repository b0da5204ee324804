import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation
import Testing

@Suite struct ProcNetTCPTests {
    @Test func parsesIPv4RowsAndSkipsTheHeader() {
        let text = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 12345 1 0000000000000000 100 0 0 10 0
               1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 678 1 0000000000000000 100 0 0 10 0
               2: 0100007F:1F40 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000  1000        0 91011 1 0000000000000000 20 4 30 10 -1
              13: 0100007F:D2F0 0100007F:1F40 06 00000000:00000000 03:00000E9B 00000000     0        0 0 3 0000000000000000
            """
        let entries = ProcNetTCP.parse(text)
        #expect(entries == [
            .init(localPort: 8000, state: 0x0A, inode: 12345),
            .init(localPort: 22, state: 0x0A, inode: 678),
            .init(localPort: 8000, state: 0x01, inode: 91011),
            .init(localPort: 54000, state: 0x06, inode: 0),
        ])
        #expect(entries.map(\.isListening) == [true, true, false, false])
    }

    @Test func parsesIPv6Rows() {
        let text = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0
               1: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 100 0 0 10 0
               2: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:E1A2 01 00000000:00000000 00:00000000 00000000  1000        0 4444 1 0000000000000000 20 4 30 10 -1
               3: 000080FE00000000FF0300FC010000FE:2382 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4545 1 0000000000000000 100 0 0 10 0
            """
        #expect(ProcNetTCP.parse(text) == [
            .init(localPort: 8080, state: 0x0A, inode: 4242),
            .init(localPort: 80, state: 0x0A, inode: 4343),
            .init(localPort: 8080, state: 0x01, inode: 4444),
            .init(localPort: 9090, state: 0x0A, inode: 4545),
        ])
    }

    @Test func skipsRowsThatDoNotFitTheFormat() {
        let text = """
               0: 0100007F:1F40 00000000:0000 0A
               1: 0100007F 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1
               2: 0100007:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 2 1
               3: 0100007F:1F40 00000000:0000 ZZ 00000000:00000000 00:00000000 00000000  1000        0 3 1
               4: 0100007F:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 x4 1
            garbage
               5: 0100007F:1F41 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 5 1
            """
        #expect(ProcNetTCP.parse(text) == [.init(localPort: 8001, state: 0x0A, inode: 5)])
    }
}
