/// Reads the assignments of a `DotEnvText` in order, so that each value is expanded with exactly
/// the variables of the lines before it. After a malformed statement it goes on at the next line,
/// as python-dotenv does, so that one run reports every problem.
struct DotEnvParser {
    private typealias Part = DotEnvInterpolation.Part

    private let text: DotEnvText
    private let environment: [String: String]
    private var index = 0
    private(set) var variables: [String: String] = [:]
    private(set) var problems: [DotEnvProblem] = []

    private var scalars: [Unicode.Scalar] { text.scalars }

    init(text: DotEnvText, environment: [String: String]) {
        self.text = text
        self.environment = environment
    }

    mutating func parse() {
        while true {
            skipBlanks()
            guard index < scalars.count else { return }
            if DotEnvText.isLineBreak(scalars[index]) || scalars[index] == "#" {
                index = text.startOfNextLine(from: index)
                continue
            }
            let key: String
            let value: [Part]
            do {
                (key, value) = try assignment()
            } catch {
                problems.append(text.problem(error))
                index = text.startOfNextLine(from: index)
                continue
            }
            // The statement has been read whole: a bad reference in it leaves the parser in place.
            let expanded: String
            do {
                // A temporary, so that `variables` is not shared (and copied) when it is updated.
                expanded = try DotEnvInterpolation(source: scalars, earlier: variables, environment: environment).expand(value[...])
            } catch {
                problems.append(text.problem(error))
                continue
            }
            variables[key] = expanded
        }
    }

    /// `[export] KEY = value [# comment]`, up to the start of the next line.
    private mutating func assignment() throws(DotEnvFailure) -> (String, [Part]) {
        let start = index
        if scalars[index...].starts(with: "export".unicodeScalars), scalars.count > index + 6, DotEnvText.isBlank(scalars[index + 6]) {
            index += 6
            skipBlanks()
        }
        let keyStart = index
        while index < scalars.count, scalars[index] != "=", !DotEnvText.isLineBreak(scalars[index]) { index += 1 }
        var keyEnd = index
        while keyEnd > keyStart, DotEnvText.isBlank(scalars[keyEnd - 1]) { keyEnd -= 1 }
        guard index < scalars.count, scalars[index] == "=", Self.isKey(scalars[keyStart..<keyEnd]) else {
            throw DotEnvFailure(index: start, message: "expected KEY=VALUE")
        }
        let key = String(String.UnicodeScalarView(scalars[keyStart..<keyEnd]))
        index += 1
        skipBlanks()
        switch scalars[index...].first {
        case "'"?: return (key, try singleQuoted())
        case "\""?: return (key, try doubleQuoted())
        default: return (key, unquoted())
        }
    }

    private static func isKey(_ key: ArraySlice<Unicode.Scalar>) -> Bool {
        func isLetter(_ scalar: Unicode.Scalar) -> Bool { ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar) }
        guard let first = key.first, first == "_" || isLetter(first) else { return false }
        return key.allSatisfy { $0 == "_" || $0 == "." || $0 == "-" || isLetter($0) || ("0"..."9").contains($0) }
    }

    /// Up to the end of the line, less a comment (a `#` after a blank) and trailing blanks.
    private mutating func unquoted() -> [Part] {
        let start = index
        let lineEnd = text.endOfLine(from: index)
        // The scalar before `start` is the `=` or a blank, so `KEY=#x` keeps its `#` and `KEY= #x` does not.
        var end = (start..<lineEnd).first { scalars[$0] == "#" && DotEnvText.isBlank(scalars[$0 - 1]) } ?? lineEnd
        while end > start, DotEnvText.isBlank(scalars[end - 1]) { end -= 1 }
        index = lineEnd
        return (start..<end).map { Part(scalar: scalars[$0], index: $0, isDollar: scalars[$0] == "$") }
    }

    /// Literal up to the next `'`, on this line or a later one.
    private mutating func singleQuoted() throws(DotEnvFailure) -> [Part] {
        let open = index
        guard let close = scalars[(open + 1)...].firstIndex(of: "'") else {
            throw DotEnvFailure(index: open, message: "unterminated single-quoted value")
        }
        var parts: [Part] = []
        var position = open + 1
        while position < close {
            appendLiteral(at: &position, to: &parts, dollarStartsReference: false)
        }
        index = close + 1
        // python-dotenv reads `\'` as a quote here; devctl, like a shell, ends the value there.
        try finishLine(opened: open, hint: scalars[close - 1] == "\\" && close - 1 > open ? " (a single-quoted value has no escapes)" : "")
        return parts
    }

    /// Up to the next unescaped `"`, on this line or a later one, with python-dotenv's escapes
    /// decoded, and `\$` for a `$` that starts no reference.
    private mutating func doubleQuoted() throws(DotEnvFailure) -> [Part] {
        let open = index
        var parts: [Part] = []
        var position = open + 1
        while position < scalars.count, scalars[position] != "\"" {
            if scalars[position] == "\\", let next = scalars[(position + 1)...].first, let decoded = Self.escaped(next) {
                parts.append(Part(scalar: decoded, index: position, isDollar: false))
                position += 2
            } else {
                // Any other backslash stays, as in python-dotenv.
                appendLiteral(at: &position, to: &parts, dollarStartsReference: true)
            }
        }
        guard position < scalars.count else { throw DotEnvFailure(index: open, message: "unterminated double-quoted value") }
        index = position + 1
        try finishLine(opened: open)
        return parts
    }

    private static func escaped(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        switch scalar {
        case "n": "\n"
        case "t": "\t"
        case "r": "\r"
        case "\"", "'", "\\", "$": scalar
        case "a": "\u{07}"
        case "b": "\u{08}"
        case "f": "\u{0C}"
        case "v": "\u{0B}"
        default: nil
        }
    }

    /// The scalar at `position` as itself, except that a line break (`\r\n` included) becomes `\n`,
    /// as python-dotenv reads a file.
    private func appendLiteral(at position: inout Int, to parts: inout [Part], dollarStartsReference: Bool) {
        let scalar = scalars[position]
        let isCRLF = scalar == "\r" && scalars[(position + 1)...].first == "\n"
        parts.append(Part(scalar: DotEnvText.isLineBreak(scalar) ? "\n" : scalar, index: position,
                          isDollar: dollarStartsReference && scalar == "$"))
        position += isCRLF ? 2 : 1
    }

    /// After the closing quote of a value opened at `open`: blanks, then the end of the line or a comment.
    private mutating func finishLine(opened open: Int, hint: String = "") throws(DotEnvFailure) {
        skipBlanks()
        guard index < scalars.count, !DotEnvText.isLineBreak(scalars[index]), scalars[index] != "#" else {
            index = text.startOfNextLine(from: index)
            return
        }
        // A quote left open on an earlier line closes far from where the user would look.
        let opening = text.position(of: open)
        let value = opening.line == text.position(of: index).line ? "" : " of the value opened at line \(opening.line), column \(opening.column)"
        throw DotEnvFailure(index: index, message: "unexpected text after the closing quote\(value)\(hint)")
    }

    private mutating func skipBlanks() {
        while index < scalars.count, DotEnvText.isBlank(scalars[index]) { index += 1 }
    }
}
