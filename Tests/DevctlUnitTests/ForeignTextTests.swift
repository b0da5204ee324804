import DevctlCLI
import DevctlText
import DevctlTracking
import Testing

/// Text from outside devctl reaches the terminal with every control it holds made visible.
@Suite struct ForeignTextTests {
    @Test func plainTextIsUnchanged() {
        #expect(ForeignText.escaped("python3 -m http.server 8000 'a b' é ✓ C:\\path\\x1b") == "python3 -m http.server 8000 'a b' é ✓ C:\\path\\x1b")
    }

    @Test func escapeSequencesAndControlsAreWrittenOut() {
        #expect(ForeignText.escaped("\u{1B}[31mred\u{1B}[0m") == #"\x1b[31mred\x1b[0m"#)
        #expect(ForeignText.escaped("\u{1B}]0;title\u{07}") == #"\x1b]0;title\x07"#)
        #expect(ForeignText.escaped("a\rb\nc\td\0e") == #"a\rb\nc\td\x00e"#)
        #expect(ForeignText.escaped("\u{7F}\u{80}\u{9B}2J\u{9F}\u{A0}") == "\\x7f\\x80\\x9b2J\\x9f\u{A0}")
    }

    @Test func tabsAndNewlinesAreKeptOnlyWhenAsked() {
        #expect(ForeignText.escaped("a\tb\nc\r", keepingTabs: true) == "a\tb\\nc\\r")
        #expect(ForeignText.escaped("a\tb\nc\r", keepingNewlines: true) == "a\\tb\nc\\r")
    }

    @Test func coloursAreKeptWithAResetOrRemovedAndNothingElseIs() {
        let line = "\u{1B}[1;32mok\u{1B}[0m \u{1B}[2J\u{1B}[38:5:208mx\u{1B}[31"
        #expect(ForeignText.escaped(line, colours: .kept)
            == "\u{1B}[1;32mok\u{1B}[0m \\x1b[2J\u{1B}[38:5:208mx\\x1b[31\u{1B}[0m")
        #expect(ForeignText.escaped(line, colours: .removed) == "ok \\x1b[2Jx\\x1b[31")
        #expect(ForeignText.escaped("no colour\r", colours: .kept) == "no colour\\r", "a reset only after a kept colour")
    }

    /// A carriage return once let a line write over its own prefix and pass for another service's.
    @Test func aLogLineCannotWriteOverItsPrefix() {
        let plain = ServiceLines(shown: ["api", "worker"], configured: ["api", "worker"], colored: false)
        #expect(plain.format(LogLine(service: "worker", text: "50%\rapi    | fake")) == #"worker | 50%\rapi    | fake"#)
        #expect(plain.format(LogLine(service: "worker", text: "\u{1B}[32mok\u{1B}[0m\tdone")) == "worker | ok\tdone")
        let coloured = ServiceLines(shown: ["api"], configured: ["api"], colored: true)
        #expect(coloured.format(LogLine(service: "api", text: "\u{1B}[32mok\u{1B}[0m\u{1B}[H"))
            == "\u{1B}[36mapi |\u{1B}[0m \u{1B}[32mok\u{1B}[0m\\x1b[H\u{1B}[0m")
    }

    @Test func jsonEscapesC1ControlsAsWellAsC0() {
        #expect(JSONText.quote("\u{1B}[31m\u{7F}\u{9B}é") == #""\u001b[31m\u007f\u009bé""#)
    }
}
