import Foundation
import Testing
@testable import DevctlCLI
@testable import DevctlConfig
@testable import DevctlLifecycle
@testable import DevctlProcesses
@testable import DevctlSystem
@testable import DevctlText
@testable import DevctlTracking

@Suite struct JSONParserTests {
    func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    /// The error `text` is refused with, as `line:column: message`.
    func failure(_ text: String) -> String? {
        failure(bytes: Array(text.utf8))
    }

    func failure(bytes: [UInt8]) -> String? {
        do {
            _ = try JSONParser.parse(bytes)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func parsesEveryKindOfValueWithItsPosition() throws {
        let value = try parse("{\n  \"a\": [1, -2.5, \"x\", true, false, null],\n  \"b\": {}\n}")
        guard case .object(let members) = value.kind else { Issue.record("not an object"); return }
        #expect(value.position == SourcePosition(line: 1, column: 1))
        #expect(members.map(\.key) == ["a", "b"])
        #expect(members[0].keyPosition == SourcePosition(line: 2, column: 3))
        #expect(members[1].value == JSONValue(.object([]), at: SourcePosition(line: 3, column: 8)))
        guard case .array(let elements) = members[0].value.kind else { Issue.record("not an array"); return }
        #expect(elements.map(\.kind) == [
            .number(JSONNumber(literal: "1", value: 1, isInteger: true)),
            .number(JSONNumber(literal: "-2.5", value: -2.5, isInteger: false)),
            .string("x"), .bool(true), .bool(false), .null,
        ])
        #expect(elements.map(\.position.column) == [9, 12, 18, 23, 29, 36])
    }

    @Test func keepsMemberOrderAndDuplicateKeys() throws {
        let value = try parse(#"{"z": 1, "a": 2, "z": 3}"#)
        guard case .object(let members) = value.kind else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["z", "a", "z"])
    }

    @Test func trueIsABooleanNotANumber() throws {
        #expect(try parse("true").kind == .bool(true))
        #expect(try parse("1").kind == .number(JSONNumber(literal: "1", value: 1, isInteger: true)))
    }

    @Test(arguments: [("3", true), ("-0", true), ("3.0", false), ("3e0", false), ("3E+2", false), ("1e-2", false)])
    func tellsIntegerLiteralsFromOthers(literal: String, isInteger: Bool) throws {
        guard case .number(let number) = try parse(literal).kind else { Issue.record("not a number"); return }
        #expect(number.isInteger == isInteger)
        #expect(number.literal == literal)
    }

    @Test func hugeNumbersParseWithoutTrapping() throws {
        guard case .number(let huge) = try parse("1e999").kind else { Issue.record("not a number"); return }
        #expect(huge.value == .infinity)
        #expect(huge.literal == "1e999")
        let digits = String(repeating: "9", count: 400)
        guard case .number(let long) = try parse(digits).kind else { Issue.record("not a number"); return }
        #expect(long.isInteger)
        #expect(long.value == .infinity)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try parse(#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00""#)
        #expect(value.kind == .string("a\"b\\c/d\u{8}\u{c}\n\r\té😀"))
        #expect(try parse("\"héllo\"").kind == .string("héllo"))
    }

    @Test func rejectsUnpairedSurrogates() {
        #expect(failure(#""\ud83d""#) == "1:2: unpaired UTF-16 surrogate in '\\u' escape")
        #expect(failure(#""\ude00x""#) == "1:2: unpaired UTF-16 surrogate in '\\u' escape")
    }

    @Test func namesLineAndColumnOfAMissingComma() {
        #expect(failure("{\n  \"a\": 1\n  \"b\": 2\n}") == "3:3: expected ',' or '}' after object member")
        #expect(failure("[1 2]") == "1:4: expected ',' or ']' after array element")
    }

    @Test func countsColumnsInCharactersNotBytes() {
        #expect(failure(#"{"é€😀": 1 x}"#) == "1:11: expected ',' or '}' after object member")
    }

    @Test func rejectsInvalidUTF8WithItsPosition() {
        let bytes = Array("{\n  \"a\": \"".utf8) + [0xC3, 0x28] + Array("\"}".utf8)
        #expect(failure(bytes: bytes) == "2:9: invalid UTF-8 byte 0xC3; the file must be UTF-8 encoded")
        #expect(failure(bytes: [0xFF, 0xFE, 0x7B, 0x00]) == "1:1: invalid UTF-8 byte 0xFF; the file must be UTF-8 encoded")
    }

    @Test func limitsNestingTo100Levels() throws {
        let deepest = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        _ = try parse(deepest)
        let tooDeep = String(repeating: "[", count: 101) + String(repeating: "]", count: 101)
        #expect(failure(tooDeep) == "1:101: nesting deeper than 100 levels")
        #expect(failure(String(repeating: "{\"a\":", count: 200_000)) == "1:501: nesting deeper than 100 levels")
    }

    @Test func rejectsTrailingGarbage() {
        #expect(failure("{} x") == "1:4: unexpected 'x' after the JSON value")
        #expect(failure("{}\n}") == "2:1: unexpected '}' after the JSON value")
    }

    @Test func rejectsAnEmptyFile() {
        #expect(failure("") == "1:1: the file is empty")
        #expect(failure(" \n ") == "2:2: unexpected end of file; expected a value")
    }

    @Test func acceptsAByteOrderMark() throws {
        #expect(try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array("[1]".utf8)).position == SourcePosition(line: 1, column: 1))
        #expect(failure(bytes: [0xEF, 0xBB, 0xBF]) == "1:1: the file is empty")
    }

    @Test(arguments: [
        ("{\"a\": 1,}", "1:9: trailing comma before '}'"),
        ("[1,]", "1:4: trailing comma before ']'"),
        ("{'a': 1}", "1:2: expected a string key in double quotes"),
        ("{\"a\" 1}", "1:6: expected ':' after object key"),
        ("[True]", "1:2: expected a value"),
        ("[tru]", "1:2: expected a value"),
        ("[01]", "1:2: leading zeros are not allowed in numbers"),
        ("[1.]", "1:4: expected a digit after '.'"),
        ("[-]", "1:3: expected a digit after '-'"),
        ("[1e]", "1:4: expected a digit after the exponent sign"),
        ("[.5]", "1:2: expected a value"),
        ("[\"a\tb\"]", "1:4: unescaped control character U+0009 in string"),
        ("[\"ab\n\"]", "1:5: unterminated string: a string cannot span lines"),
        ("[\"ab", "1:5: unexpected end of file; expected '\"' to close the string"),
        ("[\"\\x\"]", "1:3: invalid escape sequence: '\\' followed by 'x'"),
        ("[\"\\u12g4\"]", "1:7: expected four hex digits after '\\u'"),
        ("{\"a\": [1, 2", "1:12: unexpected end of file; expected ',' or ']' after array element"),
        ("NaN", "1:1: expected a value"),
    ])
    func rejectsInvalidSyntaxAtTheRightPlace(text: String, expected: String) {
        #expect(failure(text) == expected)
    }

    // The time limit only catches a hang or a quadratic scan; speed is the benchmark's business.
    @Test(.timeLimit(.minutes(1))) func parsesATenMegabyteFile() throws {
        let element = #"{"name": "service-0042", "port": 8000, "ratio": 0.25, "tags": ["a", "b\n"], "on": true, "off": null},"#
        let count = 10_000_000 / element.utf8.count
        let text = "[\n" + String(repeating: element + "\n", count: count) + "{}]"
        let parsed = try JSONParser.parse(Array(text.utf8))
        guard case .array(let elements) = parsed.kind else { Issue.record("not an array"); return }
        #expect(elements.count == count + 1)
        #expect(elements.last?.position == SourcePosition(line: count + 2, column: 1))
    }

    @Test(.timeLimit(.minutes(1))) func positionsOnALongSingleLineAreExact() throws {
        let text = "[" + String(repeating: "1,", count: 1_000_000) + "\"é\", 2]"
        let parsed = try JSONParser.parse(Array(text.utf8))
        guard case .array(let elements) = parsed.kind else { Issue.record("not an array"); return }
        #expect(elements.last?.position == SourcePosition(line: 1, column: 2_000_007))
    }
}
