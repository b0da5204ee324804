@testable import DevctlCLI
@testable import DevctlConfig
@testable import DevctlLifecycle
@testable import DevctlProcesses
@testable import DevctlSystem
@testable import DevctlText
@testable import DevctlTracking
import Foundation
import Testing

@Suite struct EventLogTests {
    /// The timestamp is formatted by hand for speed; it must stay what readers of events.log and
    /// of the log headers have always parsed.
    @Test func timestampIsWhatISO8601DateFormatterWrites() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let moments: [Double] = [0, 0.0004, 1.9996, 951_782_400.5, 1_763_735_821.1239, 1_763_735_821.9999,
                                 4_102_444_799.999, -1.5, -0.0004]
        for seconds in moments {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(EventLog.timestamp(date) == formatter.string(from: date), "at \(seconds)")
        }
    }
}
