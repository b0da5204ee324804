import DevctlSystem
import DevctlText
/// The variables of a dotenv file (a service's `envFile`), in the dialect foreman, docker compose
/// and most frameworks share. Malformed lines are reported, each with its number, rather than
/// skipped: a silently missing variable is much harder to track down.
///
/// Accepted: `KEY=value`, `export KEY=value`, blank lines and `#` comments; values unquoted
/// (trimmed, a ` #comment` after them dropped), single-quoted (literal) or double-quoted (with
/// `\n`, `\"` and `\\` escapes). A key repeated later wins, as in a shell.
public struct DotEnv: Sendable, Equatable {
    /// A line that is not a valid assignment.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String

        public init(line: Int, message: String) {
            self.line = line
            self.message = message
        }

        public var description: String { "line \(line): \(message)" }
    }

    public var variables: [String: String] = [:]
    public var problems: [Problem] = []

    /// `environment` is the one the service inherits, which the file may refer to.
    public init(parsing bytes: [UInt8], environment: [String: String]) {
        let text = String(decoding: bytes, as: UTF8.self)
        // `\.isNewline` because "\r\n" is one Character, which a split on "\n" would miss.
        for (offset, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            do {
                if let (key, value) = try DotEnv.assignment(in: line) { variables[key] = value }
            } catch {
                problems.append(Problem(line: offset + 1, message: error.message))
            }
        }
    }

    private struct LineError: Error {
        var message: String
    }

    /// The key and value a line assigns; nil for blank and comment lines.
    private static func assignment(in line: Substring) throws(LineError) -> (String, String)? {
        var rest = line.drop(while: \.isWhitespace)
        if rest.isEmpty || rest.first == "#" { return nil }
        if rest.hasPrefix("export"), let next = rest.dropFirst(6).first, next.isWhitespace {
            rest = rest.dropFirst(6).drop(while: \.isWhitespace)
        }
        guard let equals = rest.firstIndex(of: "="), isKey(rest[..<equals].trimmingWhitespace()) else {
            throw LineError(message: "expected KEY=VALUE")
        }
        let key = String(rest[..<equals].trimmingWhitespace())
        let valueText = rest[rest.index(after: equals)...]
        let quoted = valueText.drop(while: \.isWhitespace)
        switch quoted.first {
        case "'": return (key, try singleQuoted(quoted))
        case "\"": return (key, try doubleQuoted(quoted))
        default: return (key, unquoted(valueText))
        }
    }

    private static func isKey(_ text: Substring) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || isASCIILetter(first) else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || $0 == "." || $0 == "-" || isASCIILetter($0) || ("0"..."9").contains($0) }
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar)
    }

    private static func unquoted(_ text: Substring) -> String {
        var end = text.endIndex
        // Only a `#` after whitespace starts a comment: `KEY=a#b` and `KEY=#b` keep theirs.
        var previous: Character = "="
        for index in text.indices {
            if text[index] == "#", previous.isWhitespace {
                end = index
                break
            }
            previous = text[index]
        }
        return String(text[..<end].trimmingWhitespace())
    }

    private static func singleQuoted(_ text: Substring) throws(LineError) -> String {
        let body = text.dropFirst()
        guard let close = body.firstIndex(of: "'") else { throw LineError(message: "unterminated single-quoted value") }
        try checkNothingAfterQuote(body[body.index(after: close)...])
        return String(body[..<close])
    }

    private static func doubleQuoted(_ text: Substring) throws(LineError) -> String {
        var value = ""
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let character = text[index]
            index = text.index(after: index)
            if character == "\"" {
                try checkNothingAfterQuote(text[index...])
                return value
            }
            guard character == "\\", index < text.endIndex else {
                value.append(character)
                continue
            }
            let escaped = text[index]
            index = text.index(after: index)
            switch escaped {
            case "n": value.append("\n")
            case "\"", "\\": value.append(escaped)
            default: value += "\\\(escaped)"
            }
        }
        throw LineError(message: "unterminated double-quoted value")
    }

    private static func checkNothingAfterQuote(_ tail: Substring) throws(LineError) {
        let tail = tail.drop(while: \.isWhitespace)
        if !tail.isEmpty, tail.first != "#" { throw LineError(message: "unexpected text after the closing quote") }
    }
}

private extension Substring {
    func trimmingWhitespace() -> Substring {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
