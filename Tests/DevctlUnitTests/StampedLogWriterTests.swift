import DevctlSupervision
import DevctlSystem
import DevctlTracking
import Foundation
import Testing

/// The keeper's log writing: every line stamped, rotation only between lines, exactly `logKeep`
/// rotated files.
@Suite struct StampedLogWriterTests {
    static let at: Int64 = 1_764_877_718_123  // 2025-12-04T19:48:38.123Z

    private func lines(_ path: String) -> [String] {
        (FileSystem.readText(path) ?? "").split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    @Test func theStampFormatIsRFC3339UTCWithMilliseconds() {
        #expect(LogStamp.format(milliseconds: Self.at) == "2025-12-04T19:48:38.123Z")
        #expect(LogStamp.format(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(LogStamp.parse("2025-12-04T19:48:38.123Z") == Self.at)
        #expect(LogStamp.parse("2025-12-04T19:48:38Z") == nil)
        #expect(LogStamp.parse("2025-13-04T19:48:38.123Z") == nil)
        let split = LogStamp.split("2025-12-04T19:48:38.123Z hello world")
        #expect(split?.milliseconds == Self.at)
        #expect(split?.text == "hello world")
        #expect(LogStamp.split("hello world") == nil)
    }

    @Test func eachFinishedLineIsStampedAndAnUnfinishedOneWaits() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        var writer = try StampedLogWriter(path: folder + "/api.log", maxBytes: 1 << 20, keep: 3)
        try writer.output(Array("one\ntwo\nthr".utf8)[...], at: Self.at)
        #expect(lines(folder + "/api.log") == ["2025-12-04T19:48:38.123Z one", "2025-12-04T19:48:38.123Z two"])
        #expect(writer.pending == Array("thr".utf8))
        try writer.output(Array("ee\n".utf8)[...], at: Self.at + 1)
        try writer.output(Array("prompt> ".utf8)[...], at: Self.at + 2)
        try writer.flushPending(at: Self.at + 3)
        #expect(lines(folder + "/api.log").suffix(2) == ["2025-12-04T19:48:38.124Z three", "2025-12-04T19:48:38.126Z prompt> "])
    }

    @Test func rotationHappensBetweenLinesAndKeepsExactlyLogKeepFiles() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let path = folder + "/api.log"
        // Each stamped line is 25 + 8 + 1 = 34 bytes; three fit in 110.
        var writer = try StampedLogWriter(path: path, maxBytes: 110, keep: 2)
        for index in 0..<20 { try writer.output(Array("line \(String(index).padding(toLength: 3, withPad: " ", startingAt: 0))\n".utf8)[...], at: Self.at) }
        let files = FileSystem.directoryEntries(folder).sorted()
        #expect(files == ["api.log", "api.log.1", "api.log.2"])
        let all = [path + ".2", path + ".1", path].flatMap(lines)
        #expect(all.allSatisfy { $0.count == 33 && LogStamp.split($0[...]) != nil }, "every line whole and stamped")
        #expect(all.map { String($0.dropFirst(25)).trimmingCharacters(in: .whitespaces) }
                == (12..<20).map { "line \($0)" }, "the newest eight lines, in order")
        for file in [path, path + ".1", path + ".2"] { #expect((FileSystem.readBytes(file)?.count ?? 0) <= 110) }
    }

    @Test func aLineLongerThanTheLimitIsWrittenWholeIntoAFileOfItsOwn() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let path = folder + "/api.log"
        var writer = try StampedLogWriter(path: path, maxBytes: 50, keep: 1)
        try writer.output(Array("short\n".utf8)[...], at: Self.at)
        let long = String(repeating: "x", count: 80)
        try writer.output(Array("\(long)\n".utf8)[...], at: Self.at)
        #expect(lines(path) == ["2025-12-04T19:48:38.123Z \(long)"])
        #expect(lines(path + ".1") == ["2025-12-04T19:48:38.123Z short"])
    }

    @Test func keepZeroStartsTheLogAgain() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let path = folder + "/api.log"
        var writer = try StampedLogWriter(path: path, maxBytes: 40, keep: 0)
        try writer.output(Array("first\nsecond\n".utf8)[...], at: Self.at)
        #expect(FileSystem.directoryEntries(folder) == ["api.log"])
        #expect(lines(path) == ["2025-12-04T19:48:38.123Z second"])
    }

    @Test func theLogIsNeverOpenedThroughALink() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        #expect(symlink(folder + "/victim", folder + "/api.log") == 0)
        #expect(throws: RegularFileError.self) { _ = try StampedLogWriter(path: folder + "/api.log", maxBytes: 100, keep: 1) }
        #expect(!FileSystem.exists(folder + "/victim"))
    }
}
