import DevctlSystem
import DevctlText
/// Why a text is not valid JSON, and where: the position is what lets a user find the typo.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var position: SourcePosition
    public var message: String

    public init(position: SourcePosition, message: String) {
        self.position = position
        self.message = message
    }

    public var description: String { "\(position): \(message)" }
}

/// A strict RFC 8259 JSON parser written for configuration files. Foundation's
/// `JSONSerialization` cannot be used: it turns `true` into `1`, so "`true` is not a number"
/// could not be enforced, and it forgets duplicate keys, key order and positions.
public enum JSONParser {
    /// How deeply arrays and objects may nest: a config never needs more, and the limit keeps a
    /// hostile file from exhausting the stack of this recursive parser.
    public static let maximumDepth = 100

    /// Parses a whole document. A leading UTF-8 byte order mark is accepted and skipped; anything
    /// but whitespace after the value is an error.
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONParseError) -> JSONValue in
            let text = buffer.starts(with: [0xEF, 0xBB, 0xBF]) ? UnsafeBufferPointer(rebasing: buffer[3...]) : buffer
            // Validating once up front lets the scanner build strings without re-checking.
            if String(validating: text, as: UTF8.self) == nil {
                let offset = firstInvalidUTF8Offset(in: text)
                let byte = String(text[offset], radix: 16, uppercase: true)
                throw JSONParseError(position: position(ofOffset: offset, in: text),
                                     message: "invalid UTF-8 byte 0x\(byte); the file must be UTF-8 encoded")
            }
            var scanner = JSONScanner(bytes: text)
            return try scanner.document()
        }
    }

    private static func firstInvalidUTF8Offset(in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while case .valid(let scalar) = parser.parseScalar(from: &iterator) { offset += scalar.count }
        return offset
    }

    /// The position of a byte counted from the start, for errors found outside the scanner.
    private static func position(ofOffset offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> SourcePosition {
        var line = 1, lineStart = 0
        for index in 0..<offset where bytes[index] == JSONScanner.newline {
            line += 1
            lineStart = index + 1
        }
        let column = 1 + bytes[lineStart..<offset].filter(JSONScanner.startsScalar).count
        return SourcePosition(line: line, column: column)
    }
}

/// The recursive-descent reader over validated UTF-8 bytes.
private struct JSONScanner {
    static let newline = UInt8(ascii: "\n")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")

    static func startsScalar(_ byte: UInt8) -> Bool { byte & 0xC0 != 0x80 }

    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    var line = 1
    var lineStart = 0
    /// The last column handed out on the current line: counting on from there keeps a huge
    /// single-line file linear rather than quadratic.
    var columnMark = (offset: 0, column: 1)

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func document() throws(JSONParseError) -> JSONValue {
        if bytes.isEmpty { throw error("the file is empty", at: 0) }
        let result = try value(depth: 0)
        skipWhitespace()
        if index < bytes.count { throw error("unexpected \(describeByte(at: index)) after the JSON value", at: index) }
        return result
    }

    // MARK: Values

    mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw expected("a value") }
        let start = position(at: index)
        switch bytes[index] {
        case UInt8(ascii: "{"): return JSONValue(try object(depth: depth + 1), at: start)
        case UInt8(ascii: "["): return JSONValue(try array(depth: depth + 1), at: start)
        case JSONScanner.quote: return JSONValue(.string(try string()), at: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return JSONValue(.number(try number()), at: start)
        case UInt8(ascii: "t"): try literal("true"); return JSONValue(.bool(true), at: start)
        case UInt8(ascii: "f"): try literal("false"); return JSONValue(.bool(false), at: start)
        case UInt8(ascii: "n"): try literal("null"); return JSONValue(.null, at: start)
        default: throw expected("a value")
        }
    }

    mutating func object(depth: Int) throws(JSONParseError) -> JSONValue.Kind {
        try checkDepth(depth)
        index += 1
        var members: [JSONMember] = []
        skipWhitespace()
        if consume("}") { return .object(members) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == JSONScanner.quote else {
                if !members.isEmpty, index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    throw error("trailing comma before '}'", at: index)
                }
                throw expected("a string key in double quotes")
            }
            let keyPosition = position(at: index)
            let key = try string()
            skipWhitespace()
            guard consume(":") else { throw expected("':' after object key") }
            members.append(JSONMember(key: key, keyPosition: keyPosition, value: try value(depth: depth)))
            skipWhitespace()
            if consume(",") { continue }
            if consume("}") { return .object(members) }
            throw expected("',' or '}' after object member")
        }
    }

    mutating func array(depth: Int) throws(JSONParseError) -> JSONValue.Kind {
        try checkDepth(depth)
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if consume("]") { return .array(elements) }
        while true {
            skipWhitespace()
            if !elements.isEmpty, index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                throw error("trailing comma before ']'", at: index)
            }
            elements.append(try value(depth: depth))
            skipWhitespace()
            if consume(",") { continue }
            if consume("]") { return .array(elements) }
            throw expected("',' or ']' after array element")
        }
    }

    mutating func checkDepth(_ depth: Int) throws(JSONParseError) {
        if depth > JSONParser.maximumDepth {
            throw error("nesting deeper than \(JSONParser.maximumDepth) levels", at: index)
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        let matches = index + count <= bytes.count
            && UnsafeBufferPointer(start: word.utf8Start, count: count).elementsEqual(bytes[index..<index + count])
        guard matches else { throw expected("a value") }
        index += count
    }

    // MARK: Strings

    mutating func string() throws(JSONParseError) -> String {
        index += 1
        let start = index
        // Most strings have no escapes: take the bytes as they are.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == JSONScanner.quote {
                index += 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index - 1]), as: UTF8.self)
            }
            if byte == JSONScanner.backslash { break }
            try checkNotControl(byte)
            index += 1
        }
        var decoded = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            if byte == JSONScanner.quote {
                index += 1
                return String(decoding: decoded, as: UTF8.self)
            }
            if byte == JSONScanner.backslash {
                try escape(into: &decoded)
            } else {
                try checkNotControl(byte)
                decoded.append(byte)
                index += 1
            }
        }
        throw expected("'\"' to close the string")
    }

    mutating func checkNotControl(_ byte: UInt8) throws(JSONParseError) {
        if byte == JSONScanner.newline { throw error("unterminated string: a string cannot span lines", at: index) }
        if byte < 0x20 { throw error("unescaped control character \(describeByte(at: index)) in string", at: index) }
    }

    mutating func escape(into decoded: inout [UInt8]) throws(JSONParseError) {
        let backslashOffset = index
        index += 1
        guard index < bytes.count else { throw expected("an escape sequence after '\\'") }
        let simple: UInt8? = switch bytes[index] {
        case JSONScanner.quote, JSONScanner.backslash, UInt8(ascii: "/"): bytes[index]
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
        if let simple {
            decoded.append(simple)
            index += 1
            return
        }
        guard bytes[index] == UInt8(ascii: "u") else {
            throw error("invalid escape sequence: '\\' followed by \(describeByte(at: index))", at: backslashOffset)
        }
        var value = try hexQuad()
        if (0xD800...0xDBFF).contains(value) {
            // A high surrogate is only half a character: the low half must follow at once.
            guard consume("\\"), index < bytes.count, bytes[index] == UInt8(ascii: "u") else {
                throw error("unpaired UTF-16 surrogate in '\\u' escape", at: backslashOffset)
            }
            let low = try hexQuad()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw error("unpaired UTF-16 surrogate in '\\u' escape", at: backslashOffset)
            }
            value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw error("unpaired UTF-16 surrogate in '\\u' escape", at: backslashOffset)
        }
        decoded.append(contentsOf: scalar.utf8)
    }

    /// Reads the `u` and four hex digits of a `\uXXXX` escape.
    mutating func hexQuad() throws(JSONParseError) -> UInt32 {
        index += 1
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count, let digit = hexDigitValue(bytes[index]) else {
                throw expected("four hex digits after '\\u'")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    func hexDigitValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    // MARK: Numbers

    mutating func number() throws(JSONParseError) -> JSONNumber {
        let start = index
        var isInteger = true
        _ = consume("-")
        if consume("0") {
            if nextIsDigit { throw error("leading zeros are not allowed in numbers", at: start) }
        } else {
            try digits(after: "'-'")
        }
        if consume(".") {
            isInteger = false
            try digits(after: "'.'")
        }
        if consume("e") || consume("E") {
            isInteger = false
            if !consume("+") { _ = consume("-") }
            try digits(after: "the exponent sign")
        }
        let literal = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        // The grammar above only lets through what `Double` parses; out-of-range becomes ±inf
        // or 0, which validation then reports against the literal.
        return JSONNumber(literal: literal, value: Double(literal) ?? .nan, isInteger: isInteger)
    }

    var nextIsDigit: Bool {
        index < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index])
    }

    mutating func digits(after what: String) throws(JSONParseError) {
        guard nextIsDigit else { throw expected("a digit after \(what)") }
        while nextIsDigit { index += 1 }
    }

    // MARK: Positions and errors

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): index += 1
            case JSONScanner.newline:
                index += 1
                line += 1
                lineStart = index
            default: return
            }
        }
    }

    mutating func consume(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    /// The position of `offset`, which must lie on the current line.
    mutating func position(at offset: Int) -> SourcePosition {
        if columnMark.offset < lineStart || columnMark.offset > offset { columnMark = (lineStart, 1) }
        var column = columnMark.column
        // An index loop, not a slice iteration: this runs for every value and debug builds do
        // not inline the generic slice iterator.
        var scanned = columnMark.offset
        while scanned < offset {
            if JSONScanner.startsScalar(bytes[scanned]) { column += 1 }
            scanned += 1
        }
        columnMark = (offset, column)
        return SourcePosition(line: line, column: column)
    }

    mutating func error(_ message: String, at offset: Int) -> JSONParseError {
        JSONParseError(position: position(at: offset), message: message)
    }

    mutating func expected(_ what: String) -> JSONParseError {
        error(index < bytes.count ? "expected \(what)" : "unexpected end of file; expected \(what)", at: index)
    }

    /// The character at `offset` as a message shows it: quoted, or as U+XXXX when invisible.
    func describeByte(at offset: Int) -> String {
        let byte = bytes[offset]
        if byte < 0x20 || byte == 0x7F {
            let hex = String(byte, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: 4 - hex.count) + hex
        }
        var end = offset + 1
        while end < bytes.count, !JSONScanner.startsScalar(bytes[end]) { end += 1 }
        return "'" + String(decoding: UnsafeBufferPointer(rebasing: bytes[offset..<end]), as: UTF8.self) + "'"
    }
}
