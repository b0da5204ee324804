#if canImport(Glibc)
import Glibc
#endif
import DevctlLifecycle
import DevctlSystem
import DevctlTracking
import Foundation
import Testing

/// `logs` and `logs -f` read a service's log only as a regular file: a FIFO is never waited on, a
/// link never read through, and either is an error the user sees rather than "no log yet".
@Suite struct LogReaderTests {
    static let header = "==> devctl 2024-05-01T10:00:00.000Z start api: echo\n"

    @Test func tailReadsTheLastLinesOfARegularLog() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let path = folder + "/api.log"
        #expect(try LogReader.tail(path: path, service: "api", count: 5) == nil, "no log yet")
        try FileSystem.writeAtomically(path, Array((Self.header + "one\ntwo\nthree\n").utf8))
        let tail = try #require(try LogReader.tail(path: path, service: "api", count: 2))
        #expect(tail.runs.flatMap(\.lines) == ["two", "three"])
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
}
