import Testing
@testable import DevctlCLI
@testable import DevctlConfig
@testable import DevctlLifecycle
@testable import DevctlProcesses
@testable import DevctlSystem
@testable import DevctlText
@testable import DevctlTracking

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
        let dotEnv = parse("A =  spaced value  \nB=value # comment\nC=a#b\nD=\nE= # only a comment\nF=x=y\nG=#g\n")
        #expect(dotEnv.variables == ["A": "spaced value", "B": "value", "C": "a#b", "D": "", "E": "", "F": "x=y", "G": "#g"])
    }

    @Test func keepsSingleQuotedValuesLiterally() {
        let dotEnv = parse(#"A='  a # b \n "c" '  # comment"#)
        #expect(dotEnv.variables == ["A": #"  a # b \n "c" "#])
    }

    @Test func decodesEscapesInDoubleQuotedValues() {
        let dotEnv = parse(#"A="line1\nline2 \"q\" \\n \t # kept""#)
        #expect(dotEnv.problems == [])
        #expect(dotEnv.variables == ["A": "line1\nline2 \"q\" \\n \\t # kept"])
    }

    @Test func acceptsWindowsLineEndings() {
        let dotEnv = parse("A=1\r\nB=\"two\"\r\n\r\nbad\r\n")
        #expect(dotEnv.variables == ["A": "1", "B": "two"])
        #expect(dotEnv.problems == [DotEnv.Problem(line: 4, message: "expected KEY=VALUE")])
    }

    @Test func laterAssignmentsWin() {
        #expect(parse("A=1\nA=2\n").variables == ["A": "2"])
    }

    @Test func reportsEveryBadLineWithItsNumber() {
        let dotEnv = parse("""
        GOOD=1
        no equals sign
        1BAD=x
        =x
        A B=1
        Q="unterminated
        R='unterminated
        S="done" trailing
        T='done' trailing
        export
        """)
        #expect(dotEnv.variables == ["GOOD": "1"])
        #expect(dotEnv.problems.map(\.description) == [
            "line 2: expected KEY=VALUE",
            "line 3: expected KEY=VALUE",
            "line 4: expected KEY=VALUE",
            "line 5: expected KEY=VALUE",
            "line 6: unterminated double-quoted value",
            "line 7: unterminated single-quoted value",
            "line 8: unexpected text after the closing quote",
            "line 9: unexpected text after the closing quote",
            "line 10: expected KEY=VALUE",
        ])
    }
}
