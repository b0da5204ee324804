import DevctlSystem
import DevctlText
/// A place in a source file, 1-based, so that an error can point at the exact spot the user
/// must edit. Columns count Unicode scalars, as editors do, not bytes.
public struct SourcePosition: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// A JSON number as the user wrote it. The literal is kept because validation must tell `3`
/// from `3.0` and `3e0` (a port is an integer literal), and must quote `1e999` back to the user
/// rather than `inf`.
public struct JSONNumber: Sendable, Equatable {
    /// The source text, e.g. `-12.5e3`.
    public var literal: String
    /// The nearest `Double`; infinite when the literal is out of range (`1e999`).
    public var value: Double
    /// True when the literal has neither a fraction nor an exponent.
    public var isInteger: Bool

    public init(literal: String, value: Double, isInteger: Bool) {
        self.literal = literal
        self.value = value
        self.isInteger = isInteger
    }
}

/// One `"key": value` pair of a JSON object, with where its key was written.
public struct JSONMember: Sendable, Equatable {
    public var key: String
    public var keyPosition: SourcePosition
    public var value: JSONValue

    public init(key: String, keyPosition: SourcePosition, value: JSONValue) {
        self.key = key
        self.keyPosition = keyPosition
        self.value = value
    }
}

/// A parsed JSON value that remembers where it was written, so that configuration errors can
/// name their place. Objects keep their members in source order, duplicates included, because
/// a duplicate key is a mistake to report rather than something to resolve silently.
public struct JSONValue: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case object([JSONMember])
        case array([JSONValue])
        case string(String)
        case number(JSONNumber)
        case bool(Bool)
        case null
    }

    public var kind: Kind
    public var position: SourcePosition

    public init(_ kind: Kind, at position: SourcePosition) {
        self.kind = kind
        self.position = position
    }

    /// The value as an error message quotes it after "got": scalars verbatim (strings in JSON
    /// quotes, cut when long), containers by their kind.
    var summary: String {
        switch kind {
        case .object: return "an object"
        case .array: return "an array"
        case .string(let text): return JSONText.quote(text.count > 40 ? text.prefix(40) + "…" : text)
        case .number(let number): return number.literal
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        }
    }
}
