/// A JSON value for devctl's own output (`--json`, the audit trail), rendered with keys in the
/// order given so scripts and people see a stable document.
public indirect enum JSONText: Sendable, Equatable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null
    case array([JSONText])
    case object([(String, JSONText)])

    public static func == (lhs: JSONText, rhs: JSONText) -> Bool { lhs.rendered() == rhs.rendered() }

    /// Compact JSON text.
    public func rendered() -> String {
        switch self {
        case .string(let value): return Self.quote(value)
        case .int(let value): return String(value)
        case .double(let value): return value.isFinite ? Self.decimal(value) : "null"
        case .bool(let value): return value ? "true" : "false"
        case .null: return "null"
        case .array(let items): return "[" + items.map { $0.rendered() }.joined(separator: ",") + "]"
        case .object(let fields):
            return "{" + fields.map { Self.quote($0.0) + ":" + $0.1.rendered() }.joined(separator: ",") + "}"
        }
    }

    /// `text` as a JSON string literal, quotes included, with every control character escaped.
    public static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            // C0 must be escaped; DEL and C1 need not be, but a document printed on a terminal
            // must not carry a raw CSI (U+009B) any more than a raw ESC.
            case _ where ForeignText.isControl(scalar):
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension JSONText {
    /// `.null` for nil, else the wrapped value.
    public static func optional<T>(_ value: T?, _ wrap: (T) -> JSONText) -> JSONText {
        value.map(wrap) ?? .null
    }
}

private extension JSONText {
    /// At most three decimals, without trailing zeros: `0.25`, `3`, `12.346`.
    static func decimal(_ value: Double) -> String {
        let thousandths = (value * 1000).rounded()
        guard abs(thousandths) < 1e15 else { return String(value) }
        let whole = Int64(thousandths)
        let sign = whole < 0 ? "-" : ""
        let magnitude = whole.magnitude
        var text = sign + String(magnitude / 1000)
        var fraction = String(magnitude % 1000)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        if !fraction.isEmpty { text += "." + fraction }
        return text
    }
}
