import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation
import Testing

@Suite struct ProcessStatTests {
    static func line(comm: String, state: String = "S") -> [UInt8] {
        Array("4711 (\(comm)) \(state) 1 4711 4711 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 1 0 987654 1000000 250 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n".utf8)
    }

    @Test func parsesCommandNameWithSpacesAndParentheses() throws {
        let stat = try #require(ProcessStat.parse(Self.line(comm: "a) b (c")))
        #expect(stat.pid == 4711)
        #expect(stat.comm == "a) b (c")
        #expect(stat.state == "S")
        #expect(stat.ppid == 1)
        #expect(stat.pgid == 4711)
        #expect(stat.sid == 4711)
        #expect(stat.tty == 0)
        #expect(stat.cpuTicks == 10)
        #expect(stat.startTime == 987_654)
        #expect(stat.rssPages == 250)
    }

    @Test func parsesZombieState() throws {
        #expect(try #require(ProcessStat.parse(Self.line(comm: "x", state: "Z"))).state == "Z")
    }

    @Test func rejectsTruncatedOrGarbageLines() {
        #expect(ProcessStat.parse(Array("4711 (sleep) S 1 2".utf8)) == nil)
        #expect(ProcessStat.parse(Array("garbage".utf8)) == nil)
        #expect(ProcessStat.parse([]) == nil)
        #expect(ProcessStat.parse(Array("x (sleep) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 1 0 0".utf8)) == nil)
    }

    @Test func parsesTheControllingTerminal() throws {
        let line = String(decoding: Self.line(comm: "vim"), as: UTF8.self).replacingOccurrences(of: " 4711 4711 0 ", with: " 4711 4711 34817 ")
        #expect(try #require(ProcessStat.parse(Array(line.utf8))).tty == 34817)
    }
}

@Suite struct ProcessSnapshotTests {
    @Test func treeIncludesDescendantsAndSessionMembersButNotZombies() throws {
        func entry(_ pid: Int32, ppid: Int32, sid: Int32, state: Character = "S") -> ProcessEntry {
            ProcessEntry(stat: ProcessStat(pid: pid, comm: "p\(pid)", state: state, ppid: ppid, pgid: sid, sid: sid,
                                           cpuTicks: 0, startTime: UInt64(pid), rssPages: 1),
                         uid: 0, arguments: ["p\(pid)"])
        }
        let table = ProcessSnapshot(entries: [
            entry(100, ppid: 1, sid: 100), entry(101, ppid: 100, sid: 100), entry(102, ppid: 101, sid: 100),
            entry(103, ppid: 1, sid: 100),            // reparented, still in the session
            entry(104, ppid: 101, sid: 104),          // called setsid, still a descendant
            entry(105, ppid: 100, sid: 100, state: "Z"),
            entry(200, ppid: 1, sid: 200),            // unrelated
        ], uptime: 10)
        let tree = table.tree(of: ProcessIdentity(pid: 100, startTime: 100)).map(\.pid)
        #expect(tree == [100, 101, 102, 103, 104])
        #expect(table.tree(of: ProcessIdentity(pid: 100, startTime: 99)).isEmpty, "wrong start time is not the service")
    }
}
