import DevctlCLI
import Testing

/// How devctl decides on colour and width, and how it words counts and fits tables.
@Suite struct TerminalOutputTests {
    @Test func onlyANonEmptyNoColorTurnsColourOff() {
        #expect(Terminal.wantsColor(environment: [:], noColor: false, isTerminal: true))
        #expect(Terminal.wantsColor(environment: ["NO_COLOR": ""], noColor: false, isTerminal: true))
        #expect(!Terminal.wantsColor(environment: ["NO_COLOR": "1"], noColor: false, isTerminal: true))
        #expect(!Terminal.wantsColor(environment: [:], noColor: true, isTerminal: true))
        #expect(!Terminal.wantsColor(environment: [:], noColor: false, isTerminal: false))
    }

    @Test func widthIsColumnsOrTheTerminalsAndUnlimitedOffATerminal() {
        #expect(Terminal.width(environment: ["COLUMNS": "72"], isTerminal: true) { 120 } == 72)
        #expect(Terminal.width(environment: [:], isTerminal: true) { 120 } == 120)
        #expect(Terminal.width(environment: ["COLUMNS": "wide"], isTerminal: true) { 90 } == 90)
        #expect(Terminal.width(environment: ["COLUMNS": "72"], isTerminal: false) { 120 } == nil)
    }

    @Test func countsAgreeWithTheirNouns() {
        #expect(Plural.counted(1, "process") == "1 process")
        #expect(Plural.counted(2, "process") == "2 processes")
        #expect(Plural.counted(0, "orphan") == "0 orphans")
        #expect(Plural.counted(1, "service") == "1 service")
    }

    @Test func aTableFitsItsWidthByShorteningTheLastColumnFirst() {
        var table = TextTable(header: ["NAME", "HEALTH", "COMMAND"])
        table.append(["api", "unhealthy (connection refused)", "python3 -m http.server 8000 --bind 127.0.0.1 --directory public"])
        let fitted = table.rendered(fitting: 70, shrinking: [2, 1])
        let lines = fitted.split(separator: "\n")
        #expect(lines.allSatisfy { $0.count <= 70 }, "\(fitted)")
        #expect(lines[1].hasSuffix("…"), "\(fitted)")
        #expect(lines[1].contains("unhealthy (connection refused)"), "HEALTH was cut before COMMAND: \(fitted)")
        #expect(table.rendered().contains("--directory public"))
        #expect(table.rendered(fitting: 200, shrinking: [2, 1]) == table.rendered())
    }

    @Test func aTooNarrowWidthCutsTheNextColumnThenStopsAtAMinimum() {
        var table = TextTable(header: ["NAME", "HEALTH", "COMMAND"])
        table.append(["api", "unhealthy (connection refused)", "python3 -m http.server 8000"])
        let lines = table.rendered(fitting: 40, shrinking: [2, 1]).split(separator: "\n")
        #expect(lines[1] == "api   unhealthy (connecti…  python3 -m…", "\(lines)")
    }

    @Test func aCutKeepsColourSequencesAndResetsThem() {
        var table = TextTable(header: ["NAME", "HEALTH"])
        table.append(["api", "\u{1B}[31munhealthy (connection refused)\u{1B}[0m"])
        let row = table.rendered(fitting: 20, shrinking: [1]).split(separator: "\n")[1]
        #expect(row == "api   \u{1B}[31munhealthy (co…\u{1B}[0m", "\(row.debugDescription)")
    }
}
