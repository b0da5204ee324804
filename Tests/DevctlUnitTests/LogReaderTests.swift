#if canImport(Glibc)
import Glibc
#endif
import DevctlLifecycle
import DevctlSystem
import DevctlTracking
import Foundation
import Testing

/// `logs` and `logs -f` read a service's log only as a regular file: a FIFO is never waited on, a
/// link never read through, and either is an error the user sees rather than "no log yet". `-n`
/// reads on into the rotated files when the log was just rotated; `start` shows a failed run's
/// output without stamps or devctl's lines.
@Suite struct LogReaderTests {
    static let header = "==> devctl 2024-05-01T10:00:00.000Z start api: echo\n"

    /// Stamped lines `STAMP TEXT\n` as a keeper writes them, one millisecond apart from `first`.
    static func stamped(_ texts: [String], first: Int = 0) -> String {
        texts.enumerated().map { LogStamp.format(milliseconds: 1_796_500_000_000 + Int64(first + $0.offset)) + " " + $0.element + "\n" }
            .joined()
    }

    static func lines(_ range: ClosedRange<Int>) -> [String] { range.map { "line-\($0)" } }

    @Test func tailReadsTheLastLinesOfARegularLog() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let path = folder + "/api.log"
        #expect(try LogReader.tail(path: path, service: "api", count: 5) == nil, "no log yet")
        try FileSystem.writeAtomically(path, Array((Self.header + "one\ntwo\nthree\n").utf8))
        let tail = try #require(try LogReader.tail(path: path, service: "api", count: 2))
        #expect(tail.entries.map(\.line.text) == ["two", "three"])
        #expect(tail.position.offset == UInt64(Self.header.utf8.count + 14))
    }

    @Test func tailRefusesALinkAndAFIFO() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let victim = folder + "/victim", link = folder + "/api.log", fifo = folder + "/web.log"
        try FileSystem.writeAtomically(victim, Array("secret\n".utf8))
        #expect(symlink(victim, link) == 0)
        #expect(FileKindFixture.failure { _ = try LogReader.tail(path: link, service: "api", count: 5) }
            == "'\(link)' is a symbolic link, not a regular file")
        #expect(LogReader.newestRunTail(path: link, service: "api", count: 5).isEmpty)
        #expect(LogPosition.end(of: link) == nil)

        #expect(mkfifo(fifo, 0o644) == 0)
        let refused = FileKindFixture.outcome(releasing: fifo) {
            FileKindFixture.failure { _ = try LogReader.tail(path: fifo, service: "web", count: 5) }
        }
        #expect(refused == "'\(fifo)' is a FIFO, not a regular file", "nil: tail waited for a writer")
        let newest = FileKindFixture.outcome(releasing: fifo) { LogReader.newestRunTail(path: fifo, service: "web", count: 5) }
        #expect(newest == [], "nil: the failed service's tail waited for a writer")
    }

    @Test func followingNeverWaitsOnAFIFONorReadsThroughALink() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let victim = folder + "/victim", link = folder + "/api.log", fifo = folder + "/web.log", plain = folder + "/db.log"
        try FileSystem.writeAtomically(victim, Array("secret\n".utf8))
        #expect(symlink(victim, link) == 0)
        #expect(mkfifo(fifo, 0o644) == 0)
        try FileSystem.writeAtomically(plain, Array((Self.header + "ready\n").utf8))
        let lines = FileKindFixture.outcome(releasing: fifo) { () -> [String] in
            let follower = LogFollower(logs: [("api", link), ("web", fifo), ("db", plain)], start: [:])
            var lines = [String]()
            follower.poll { line in
                lines.append("\(line.service) | \(line.text)")
                return true
            }
            return lines
        }
        #expect(lines == ["db | ready"], "nil: the follower waited for a writer of the FIFO")
    }

    @Test func tailTakesOffStampsAndHidesRunHeadersButShowsNotes() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let path = folder + "/api.log"
        try FileSystem.writeAtomically(path, Array(Self.stamped([
            ServiceLog.runHeader(service: "api", pid: 4711, restart: 0, command: "serve"), "first run",
            ServiceLog.note("exit", service: "api", "exited with status 3; restarting in 1 s"),
            ServiceLog.runHeader(service: "api", pid: 4712, restart: 1, command: "serve"), "second run",
        ]).utf8))
        let tail = try #require(try LogReader.tail(path: path, service: "api", count: 3))
        #expect(tail.entries.map(\.line.text) == ["first run", "==> devctl exit api: exited with status 3; restarting in 1 s", "second run"])
        #expect(tail.entries.map(\.kind) == [.output, .note, .output])
        #expect(tail.entries.allSatisfy { $0.line.stamp.flatMap(LogStamp.parse) == $0.time && $0.time != nil })
    }

    @Test func tailReadsOnIntoTheRotatedFilesWhenTheLogWasJustRotated() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let path = folder + "/api.log"
        try FileSystem.writeAtomically(path + ".2", Array(Self.stamped(Self.lines(1...3), first: 1).utf8))
        try FileSystem.writeAtomically(path + ".1", Array(Self.stamped(Self.lines(4...6), first: 4).utf8))
        try FileSystem.writeAtomically(path, Array(Self.stamped(Self.lines(7...8), first: 7).utf8))
        func texts(_ count: Int) throws -> [String] {
            try #require(try LogReader.tail(path: path, service: "api", count: count)).entries.map(\.line.text)
        }
        #expect(try texts(2) == Self.lines(7...8))
        #expect(try texts(5) == Self.lines(4...8))
        #expect(try texts(7) == Self.lines(2...8))
        #expect(try texts(100) == Self.lines(1...8), "every rotated file, and nothing past the last")
        let position = try #require(try LogReader.tail(path: path, service: "api", count: 5)).position
        #expect(position == LogPosition.end(of: path), "following goes on in the log itself")
    }

    @Test func aLogRotatedWhileItIsReadIsNotReadTwice() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let path = folder + "/api.log"
        try FileSystem.writeAtomically(path + ".2", Array(Self.stamped(Self.lines(1...3), first: 1).utf8))
        try FileSystem.writeAtomically(path, Array(Self.stamped(Self.lines(4...6), first: 4).utf8))
        // The log read is also the first rotated file: it was renamed while being read (the
        // rotation that would have moved the old `.1` to `.2` had happened before).
        #expect(link(path, path + ".1") == 0)
        let tail = try #require(try LogReader.tail(path: path, service: "api", count: 5))
        #expect(tail.entries.map(\.line.text) == Self.lines(2...6))
    }

    @Test func aLinkAsARotatedFileIsRefusedWhenItIsNeeded() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let path = folder + "/api.log", victim = folder + "/victim"
        try FileSystem.writeAtomically(victim, Array(Self.stamped(["secret"]).utf8))
        try FileSystem.writeAtomically(path, Array(Self.stamped(Self.lines(1...2)).utf8))
        #expect(symlink(victim, path + ".1") == 0)
        #expect(try LogReader.tail(path: path, service: "api", count: 2)?.entries.map(\.line.text) == Self.lines(1...2))
        #expect(FileKindFixture.failure { _ = try LogReader.tail(path: path, service: "api", count: 3) }
            == "'\(path).1' is a symbolic link, not a regular file")
    }

    @Test func newestRunTailIsTheServicesOutputWithoutStampsOrDevctlLines() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let path = folder + "/api.log"
        try FileSystem.writeAtomically(path, Array(Self.stamped([
            ServiceLog.runHeader(service: "api", pid: 4711, restart: 0, command: "serve"), "first run",
            ServiceLog.note("exit", service: "api", "exited with status 3; restarting in 1 s"),
            ServiceLog.runHeader(service: "api", pid: 4712, restart: 1, command: "serve"), "second", "run",
            ServiceLog.note("gave-up", service: "api", "1 restart"),
        ]).utf8))
        #expect(LogReader.newestRunTail(path: path, service: "api", count: 5) == ["second", "run"])
        #expect(LogReader.newestRunTail(path: path, service: "api", count: 1) == ["run"])

        try FileSystem.writeAtomically(path, Array((Self.header + "legacy output\n").utf8))
        #expect(LogReader.newestRunTail(path: path, service: "api", count: 5) == ["legacy output"])
    }
}
