@testable import DevctlCLI
@testable import DevctlConfig
@testable import DevctlLifecycle
@testable import DevctlProcesses
@testable import DevctlSystem
@testable import DevctlText
@testable import DevctlTracking
import Foundation
import Synchronization
import Testing

@Suite struct EventLogTests {
    /// The audit trail's time is a log stamp (`LogStamp`), formatted by hand for speed and without
    /// Foundation; it must stay what readers of events.log and of the logs have always parsed.
    @Test func timestampIsWhatISO8601DateFormatterWrites() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let moments: [Double] = [0, 0.0004, 1.9996, 951_782_400.5, 1_763_735_821.1239, 1_763_735_821.9999,
                                 4_102_444_799.999, -1.5, -0.0004]
        for seconds in moments {
            let date = Date(timeIntervalSince1970: seconds)
            let milliseconds = Int64((seconds * 1000).rounded())
            #expect(LogStamp.format(milliseconds: milliseconds) == formatter.string(from: date), "at \(seconds)")
            #expect(LogStamp.parse(formatter.string(from: date)) == milliseconds, "at \(seconds)")
        }
        #expect(LogStamp.parse(EventLog.timestamp()) != nil)
    }

    @Test func eventsAreAppendedOneJSONLinePerEvent() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let events = EventLog(path: folder + "/events.log")
        events.record("start", service: "api", pid: 4711, outcome: "spawned")
        events.record("stop", outcome: "ok")
        let lines = try #require(FileSystem.readText(folder + "/events.log")).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasSuffix(#""event":"start","service":"api","pid":4711,"outcome":"spawned"}"#))
        #expect(lines[1].hasSuffix(#""event":"stop","outcome":"ok"}"#))
    }

    /// Collects what an `EventLog` warns, for a test to read.
    final class Warnings: Sendable {
        private let said = Mutex<[String]>([])
        var all: [String] { said.withLock { $0 } }
        func add(_ warning: String) { said.withLock { $0.append(warning) } }
    }

    @Test func theAuditTrailIsNeverWrittenThroughALinkAndTheGapIsSaidOnce() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let victim = folder + "/victim", path = folder + "/events.log"
        try FileSystem.writeAtomically(victim, Array("precious\n".utf8))
        #expect(symlink(victim, path) == 0)
        let warnings = Warnings()
        let events = EventLog(path: path, warn: warnings.add)
        events.record("signal", service: "api", pid: 4711, signal: .terminate)
        events.record("stop", outcome: "ok")
        #expect(FileSystem.readText(victim) == "precious\n")
        #expect(warnings.all == ["cannot write the audit trail, events go unrecorded: '\(path)' is a symbolic link, not a regular file"])
    }

    @Test func aFIFOAsTheAuditTrailIsNeverWaitedOn() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let path = folder + "/events.log"
        #expect(mkfifo(path, 0o644) == 0)
        let warnings = Warnings()
        let recorded = FileKindFixture.outcome(releasing: path) { () -> Bool in
            let events = EventLog(path: path, warn: warnings.add)
            events.record("stop", outcome: "ok")
            events.record("stop", outcome: "ok")
            return true
        }
        #expect(recorded == true, "nil: the event waited for a reader of the FIFO")
        #expect(warnings.all == ["cannot write the audit trail, events go unrecorded: '\(path)' is a FIFO, not a regular file"])
    }
}
