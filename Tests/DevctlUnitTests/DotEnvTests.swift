import Testing
@testable import DevctlConfig

/// The dotenv syntax, rule by rule, as python-dotenv reads it (see `DotEnv` for where devctl
/// differs, and `DotEnvInterpolationTests` for `${VAR}`).
@Suite struct DotEnvTests {
    /// `text` as a dotenv file, read against `environment`.
    private func parse(_ text: String, environment: [String: String] = [:]) -> DotEnv {
        DotEnv(parsing: Array(text.utf8), environment: environment)
    }

    @Test func readsAssignmentsSkippingCommentsAndBlankLines() {
        let dotEnv = parse("# database\n\nHOST=localhost\n  export PORT=5432\n   # indented comment\nexported=1\n")
        #expect(dotEnv.problems == [])
        #expect(dotEnv.variables == ["HOST": "localhost", "PORT": "5432", "exported": "1"])
    }

    @Test func trimsUnquotedValuesAndDropsTrailingComments() {
        let dotEnv = parse("A =  spaced value  \nB=value # comment\nC=a#b\nD=\nE= # only a comment\nF=x=y\nG=#g\nH=tab\t# comment\n")
        #expect(dotEnv.variables == ["A": "spaced value", "B": "value", "C": "a#b", "D": "", "E": "", "F": "x=y", "G": "#g", "H": "tab"])
    }

    @Test func keepsBackslashesInUnquotedValues() {
        #expect(parse(#"A=C:\new\tab \"x\""#).variables == ["A": #"C:\new\tab \"x\""#])
    }

    @Test func keepsSingleQuotedValuesLiterally() {
        let dotEnv = parse(#"A='  a # b \n \t "c" \\ '  # comment"#)
        #expect(dotEnv.problems == [])
        #expect(dotEnv.variables == ["A": #"  a # b \n \t "c" \\ "#])
    }

    @Test func decodesEscapesInDoubleQuotedValues() {
        let dotEnv = parse(#"A="n\n t\t r\r q\" b\\ s\' d\$ a\a b\b f\f v\v # kept""#)
        #expect(dotEnv.problems.map(\.description) == [])
        #expect(dotEnv.variables == ["A": "n\n t\t r\r q\" b\\ s' d$ a\u{07} b\u{08} f\u{0C} v\u{0B} # kept"])
    }

    @Test func keepsOtherBackslashesInDoubleQuotedValues() {
        #expect(parse(#"A="\x41 \u0041 \q \\n \0""#).variables == ["A": #"\x41 \u0041 \q \n \0"#])
    }

    @Test func endsLinesOnlyAtNewlineCarriageReturnOrBoth() {
        // Form feed, vertical tab, NEL and the Unicode separators are text, as in python-dotenv.
        let dotEnv = parse("A=1\u{0C}B=2\nC=1\u{0B}D=2\nE=1\u{85}F\u{2028}G\u{2029}H=3\rI=4\r\nJ=5")
        #expect(dotEnv.problems.map(\.description) == [])
        #expect(dotEnv.variables == ["A": "1\u{0C}B=2", "C": "1\u{0B}D=2", "E": "1\u{85}F\u{2028}G\u{2029}H=3", "I": "4", "J": "5"])
    }

    @Test func countsLinesAfterEachKindOfLineEnding() {
        #expect(parse("A=1\rbad\r\nworse\nB=\u{0C}\nworst").problems.map(\.description) == [
            "line 2, column 1: expected KEY=VALUE",
            "line 3, column 1: expected KEY=VALUE",
            "line 5, column 1: expected KEY=VALUE",
        ])
    }

    @Test func acceptsWindowsLineEndings() {
        let dotEnv = parse("A=1\r\nB=\"two\"\r\n\r\nbad\r\n")
        #expect(dotEnv.variables == ["A": "1", "B": "two"])
        #expect(dotEnv.problems.map(\.description) == ["line 4, column 1: expected KEY=VALUE"])
    }

    @Test func acceptsExportBeforeAKey() {
        let dotEnv = parse("export A=1\nexport\tB=2\n  export  C=3\nexport=4\nexportD=5\n")
        #expect(dotEnv.problems.map(\.description) == [])
        #expect(dotEnv.variables == ["A": "1", "B": "2", "C": "3", "export": "4", "exportD": "5"])
    }

    @Test func letsQuotedValuesSpanLines() {
        let dotEnv = parse("A=\"first\n  second\"\nB='one\ntwo' # comment\nC=after\nD=\"crlf\r\nand cr\rend\"\n")
        #expect(dotEnv.problems.map(\.description) == [])
        #expect(dotEnv.variables == ["A": "first\n  second", "B": "one\ntwo", "C": "after", "D": "crlf\nand cr\nend"])
    }

    @Test func saysWhereAQuoteThatClosesOnALaterLineWasOpened() {
        // The first quote of B closes A's value, which leaves `b'` after it.
        let dotEnv = parse("A='unterminated\nB='b'\nC=c\n")
        #expect(dotEnv.variables == ["C": "c"])
        #expect(dotEnv.problems.map(\.description) == [
            "line 2, column 4: unexpected text after the closing quote of the value opened at line 1, column 3",
        ])
    }

    @Test func numbersLinesAfterAMultiLineValueAsInTheFile() {
        #expect(parse("A=\"1\n2\n3\"\nbad\n").problems.map(\.description) == ["line 4, column 1: expected KEY=VALUE"])
    }

    @Test func refusesNulBytesWithTheirLineAndColumn() {
        // One problem per line is enough to find it, and keeps a binary file's report short.
        let dotEnv = parse("A=1\nB=x\0y\nC=\"\0\"\n# \0 in a comment\nD=\0\0\n")
        #expect(dotEnv.problems.map(\.description) == [
            "line 2, column 4: a NUL byte cannot be passed in an environment variable",
            "line 3, column 4: a NUL byte cannot be passed in an environment variable",
            "line 4, column 3: a NUL byte cannot be passed in an environment variable",
            "line 5, column 3: a NUL byte cannot be passed in an environment variable",
        ])
    }

    @Test func refusesInvalidUTF8WithItsLineAndColumn() {
        let bytes = Array("A=1\nB=caf".utf8) + [0xE9] + Array("\nC=é".utf8) + [0xF0, 0x9F] + Array("x\n".utf8)
        #expect(DotEnv(parsing: bytes, environment: [:]).problems.map(\.description) == [
            "line 2, column 6: invalid UTF-8 byte 0xE9; the file must be UTF-8 encoded",
            "line 3, column 4: invalid UTF-8 byte 0xF0; the file must be UTF-8 encoded",
        ])
    }

    @Test func laterAssignmentsWin() {
        #expect(parse("A=1\nA=2\n").variables == ["A": "2"])
    }

    @Test func reportsEveryBadLineWithItsPlace() {
        let dotEnv = parse(#"""
        GOOD=1
        no equals sign
        1BAD=x
        =x
          A B=1
        S="done" trailing
        T='done' trailing
        U='it\'s'
        export
        R='unterminated
        Q="unterminated
        """#)
        #expect(dotEnv.variables == ["GOOD": "1"])
        #expect(dotEnv.problems.map(\.description) == [
            "line 2, column 1: expected KEY=VALUE",
            "line 3, column 1: expected KEY=VALUE",
            "line 4, column 1: expected KEY=VALUE",
            "line 5, column 3: expected KEY=VALUE",
            "line 6, column 10: unexpected text after the closing quote",
            "line 7, column 10: unexpected text after the closing quote",
            "line 8, column 8: unexpected text after the closing quote (a single-quoted value has no escapes)",
            "line 9, column 1: expected KEY=VALUE",
            "line 10, column 3: unterminated single-quoted value",
            "line 11, column 3: unterminated double-quoted value",
        ])
    }
}
