#if canImport(Glibc)
import Glibc
#endif
import DevctlLifecycle
import DevctlSystem
import DevctlTracking
import Testing

/// `logs -f` and `up` follow a log across the keeper's rotation (`NAME.log` renamed to
/// `NAME.log.1`, a new `NAME.log` begun): every line once, in order, without its stamp.
@Suite struct LogFollowerTests {
    static func stamped(_ texts: String...) -> [UInt8] {
        Array(texts.map { LogStamp.format(milliseconds: LogStamp.nowMilliseconds()) + " " + $0 + "\n" }.joined().utf8)
    }

    /// What one poll hands over, as `service | text`.
    static func poll(_ follower: LogFollower) -> [String] {
        var lines = [String]()
        follower.poll { line in
            lines.append("\(line.service) | \(line.text)")
            return true
        }
        return lines
    }

    @Test func aRotatedLogIsReadToItsEndThenTheNewOneFromItsStart() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let path = folder + "/api.log"
        try FileSystem.append(path, Self.stamped("one", "two"))
        let follower = LogFollower(logs: [("api", path)], start: [:])
        #expect(Self.poll(follower) == ["api | one", "api | two"])

        try FileSystem.append(path, Self.stamped("three"))
        #expect(rename(path, path + ".1") == 0)
        try FileSystem.append(path + ".1", Self.stamped("four"))
        #expect(Self.poll(follower) == ["api | three", "api | four"], "renamed, no new log yet: the old one is still read")

        try FileSystem.append(path + ".1", Self.stamped("five"))
        try FileSystem.append(path, Self.stamped("six"))
        #expect(Self.poll(follower) == ["api | five", "api | six"])
        try FileSystem.append(path, Self.stamped("seven"))
        #expect(Self.poll(follower) == ["api | seven"])
        #expect(Self.poll(follower) == [])
    }

    @Test func aLogRotatedSinceItsPositionWasTakenIsReadOnFromThere() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let path = folder + "/api.log"
        try FileSystem.append(path, Self.stamped("shown by the tail"))
        let position = try #require(LogPosition.end(of: path))
        try FileSystem.append(path, Self.stamped("written after the tail"))
        #expect(rename(path, path + ".1") == 0)
        try FileSystem.append(path, Self.stamped("in the new log"))
        let follower = LogFollower(logs: [("api", path)], start: ["api": position])
        #expect(Self.poll(follower) == ["api | written after the tail", "api | in the new log"])
    }

    @Test func stampsAreTakenOffHeadersLeftOutAndNotesShownOnlyWhenAsked() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let path = folder + "/api.log"
        let note = ServiceLog.note("exit", service: "api", "exited with status 3; restarting in 1 s")
        try FileSystem.append(path, Self.stamped(ServiceLog.runHeader(service: "api", pid: 4711, restart: 0, command: "serve"),
                                                 "output", note))
        try FileSystem.append(path, Array("==> devctl 2024-05-01T10:00:00.000Z start api: serve\nunstamped\n".utf8))
        #expect(Self.poll(LogFollower(logs: [("api", path)], start: [:])) == ["api | output", "api | unstamped"])
        let withNotes = LogFollower(logs: [("api", path)], start: [:], showingNotes: true)
        var lines = [LogLine]()
        withNotes.poll { line in
            lines.append(line)
            return true
        }
        #expect(lines.map(\.text) == ["output", note, "unstamped"])
        #expect(lines.map { $0.stamp.flatMap(LogStamp.parse) != nil } == [true, true, false])
    }

    @Test func anUnfinishedLastLineOfAReplacedLogIsHandedOver() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let path = folder + "/api.log"
        try FileSystem.append(path, Self.stamped("whole") + Array("cut".utf8))
        let follower = LogFollower(logs: [("api", path)], start: [:])
        #expect(Self.poll(follower) == ["api | whole"])
        #expect(rename(path, path + ".1") == 0)
        try FileSystem.append(path, Self.stamped("new"))
        #expect(Self.poll(follower) == ["api | cut", "api | new"])
    }
}
