import Testing
@testable import DevctlConfig

/// `${VAR}` and `$VAR` in a dotenv file: resolved from the file's earlier lines, then from the
/// environment the service inherits, as docker compose and python-dotenv do.
@Suite struct DotEnvInterpolationTests {
    /// The variables of `text`, which must have no problem.
    private func variables(_ text: String, environment: [String: String] = [:],
                           sourceLocation: SourceLocation = #_sourceLocation) -> [String: String] {
        let dotEnv = DotEnv(parsing: Array(text.utf8), environment: environment)
        #expect(dotEnv.problems.map(\.description) == [], sourceLocation: sourceLocation)
        return dotEnv.variables
    }

    private func problems(_ text: String, environment: [String: String] = [:]) -> [String] {
        DotEnv(parsing: Array(text.utf8), environment: environment).problems.map(\.description)
    }

    @Test func expandsBracedAndBareReferencesToEarlierLines() {
        #expect(variables("A=1\nB=${A}\nC=$A\nD=\"${A}-$A\"\nE=$A/${A}x$A_z.\n") == [
            "A": "1", "B": "1", "C": "1", "D": "1-1", "E": "1/1x.",
        ])
    }

    @Test func looksInEarlierLinesBeforeTheInheritedEnvironment() {
        #expect(variables("B=${A}\nA=file\nC=${A}\nD=$ONLY_INHERITED\n", environment: ["A": "inherited", "ONLY_INHERITED": "i"]) == [
            "B": "inherited", "A": "file", "C": "file", "D": "i",
        ])
    }

    @Test func extendsAnInheritedValueWithItself() {
        #expect(variables("PATH=/opt/bin:${PATH}\nPATH=$PATH:/more\n", environment: ["PATH": "/usr/bin"]) == [
            "PATH": "/opt/bin:/usr/bin:/more",
        ])
    }

    @Test func usesEachEarlierValueAsItWasExpanded() {
        #expect(variables("A=1\nB=${A}\nA=2\nC=${B}${A}\n") == ["A": "2", "B": "1", "C": "12"])
    }

    @Test func expandsUndefinedVariablesToEmptyText() {
        #expect(variables("A=[${NOPE}]\nB=[$NOPE]\n") == ["A": "[]", "B": "[]"])
    }

    @Test func usesDefaultsForUnsetOrEmptyVariables() {
        let text = "A=${UNSET:-d}\nB=${EMPTY:-d}\nC=${SET:-d}\nD=${UNSET-d}\nE=${EMPTY-d}\nF=${UNSET:-a b}\n"
            + "G=${UNSET:-${SET}-$SET}\nH=\"${UNSET:-x\\ty}\"\n"
        #expect(variables(text, environment: ["EMPTY": "", "SET": "s"]) == [
            "A": "d", "B": "d", "C": "s", "D": "d", "E": "", "F": "a b", "G": "s-s", "H": "x\ty",
        ])
    }

    @Test func usesAlternativesOnlyForSetVariables() {
        #expect(variables("A=${SET:+alt}\nB=${EMPTY:+alt}\nC=${EMPTY+alt}\nD=${UNSET+alt}\n", environment: ["EMPTY": "", "SET": "s"]) == [
            "A": "alt", "B": "", "C": "alt", "D": "",
        ])
    }

    @Test func refusesAMissingRequiredVariable() {
        #expect(problems("A=${UNSET:?set it in .env.local}\nB=${EMPTY:?}\nC=${EMPTY?}\nD=${UNSET?}\n", environment: ["EMPTY": ""]) == [
            "line 1, column 3: required variable 'UNSET' is not set: set it in .env.local",
            "line 2, column 3: required variable 'EMPTY' is empty",
            "line 4, column 3: required variable 'UNSET' is not set",
        ])
    }

    @Test func leavesSingleQuotedValuesUnexpanded() {
        #expect(variables("A=1\nB='$A ${A} $$'\n") == ["A": "1", "B": "$A ${A} $$"])
    }

    @Test func writesALiteralDollarDoubledOrEscapedOrAlone() {
        #expect(variables("A=$$HOME\nB=\"\\$HOME \\${HOME} $$\"\nC=5$ or $5 or $-x or $\nD=\"$\"\n", environment: ["HOME": "/home/u"]) == [
            "A": "$HOME", "B": "$HOME ${HOME} $", "C": "5$ or $5 or $-x or $", "D": "$",
        ])
    }

    @Test func expandsAfterTrimmingAndDroppingComments() {
        #expect(variables("X=a  # comment\nY=[${X}]\nZ=${X} # ${NOPE:?}\n") == ["X": "a", "Y": "[a]", "Z": "a"])
    }

    @Test func expandsInsideMultiLineValues() {
        #expect(variables("A=1\nB=\"one ${A}\ntwo $A\"\n") == ["A": "1", "B": "one 1\ntwo 1"])
    }

    @Test func refusesMalformedReferencesWithTheirPlace() {
        #expect(problems("A=${}\nB=x${a b}\nC=${1X}\nD=${X:=y}\nE=${X\nF=\"${X\"\nG=${X:-${Y}\nH=${X:-${1}}\n") == [
            "line 1, column 3: '${}': a variable name is letters, digits and '_', and does not start with a digit",
            "line 2, column 4: '${a b}': expected '}' or one of ':-', '-', ':+', '+', ':?', '?' after the name",
            "line 3, column 3: '${1X}': a variable name is letters, digits and '_', and does not start with a digit",
            "line 4, column 3: '${X:=y}': expected '}' or one of ':-', '-', ':+', '+', ':?', '?' after the name",
            "line 5, column 3: '${' without a closing '}'",
            "line 6, column 4: '${' without a closing '}'",
            "line 7, column 3: '${' without a closing '}'",
            "line 8, column 8: '${1}': a variable name is letters, digits and '_', and does not start with a digit",
        ])
    }

    @Test func refusesReferencesNestedTooDeepRatherThanExhaustingTheStack() {
        func nested(_ depth: Int) -> String { "A=" + String(repeating: "${X:-", count: depth) + "v" + String(repeating: "}", count: depth) + "\n" }
        #expect(variables(nested(DotEnvInterpolation.maximumDepth)) == ["A": "v"])
        #expect(problems(nested(DotEnvInterpolation.maximumDepth + 1)) == ["line 1, column 503: references nest more than 100 deep"])
        #expect(problems(nested(100_000)) == ["line 1, column 503: references nest more than 100 deep"])
    }
}
