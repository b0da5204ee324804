/// Expands the variable references in a dotenv value, by docker compose's rules: `$NAME`,
/// `${NAME}`, `${NAME:-default}` and `${NAME-default}`, `${NAME:+value}` and `${NAME+value}`,
/// `${NAME:?message}` and `${NAME?message}` (the colon forms treat an empty variable as unset;
/// the word is expanded too, and only when it is used), and `$$` for a literal `$`. A `$` that
/// starts none of these is kept. A name is looked up in the file's earlier lines, then in the
/// environment the service inherits; an undefined name expands to nothing.
struct DotEnvInterpolation {
    /// One scalar of a value as its quotes left it: escapes decoded, line breaks made `\n`.
    struct Part {
        var scalar: Unicode.Scalar
        /// Where it came from in `DotEnvText.scalars`, to place problems.
        var index: Int
        /// True for a `$` that was neither escaped nor single-quoted.
        var isDollar: Bool
    }

    /// How deeply references may nest (`${A:-${B:-…}}`): a file never needs more, and the limit
    /// keeps a hostile one from exhausting the stack.
    static let maximumDepth = 100

    let source: [Unicode.Scalar]
    let earlier: [String: String]
    let environment: [String: String]

    func expand(_ parts: ArraySlice<Part>) throws(DotEnvFailure) -> String {
        var result = String.UnicodeScalarView()
        var index = parts.startIndex
        while index < parts.endIndex {
            let part = parts[index]
            index += 1
            guard part.isDollar, index < parts.endIndex else {
                result.append(part.scalar)
                continue
            }
            let next = parts[index]
            if next.isDollar {
                result.append("$")
                index += 1
            } else if next.scalar == "{" {
                let close = try closingBrace(of: parts[index...], dollar: part)
                result.append(contentsOf: try braced(parts[(index + 1)..<close], from: part, to: parts[close]).unicodeScalars)
                index = close + 1
            } else if Self.startsName(next.scalar) {
                let end = parts[index...].firstIndex { !Self.continuesName($0.scalar) } ?? parts.endIndex
                result.append(contentsOf: (value(of: name(parts[index..<end])) ?? "").unicodeScalars)
                index = end
            } else {
                result.append(part.scalar)
            }
        }
        return String(result)
    }

    private func value(of name: String) -> String? { earlier[name] ?? environment[name] }

    /// The index of the `}` that closes the `{` starting `parts`, past any nested `${…}`; checking
    /// the nesting here bounds the recursion of `expand`.
    private func closingBrace(of parts: ArraySlice<Part>, dollar: Part) throws(DotEnvFailure) -> Int {
        var depth = 1
        var index = parts.startIndex + 1
        while index < parts.endIndex {
            if parts[index].isDollar, let following = parts[(index + 1)...].first, following.isDollar || following.scalar == "{" {
                // `$$` is a literal `$`, not the start of a nested reference.
                if !following.isDollar { depth += 1 }
                if depth > Self.maximumDepth {
                    throw DotEnvFailure(index: parts[index].index, message: "references nest more than \(Self.maximumDepth) deep")
                }
                index += 2
                continue
            }
            if parts[index].scalar == "}" {
                depth -= 1
                if depth == 0 { return index }
            }
            index += 1
        }
        throw DotEnvFailure(index: dollar.index, message: "'${' without a closing '}'")
    }

    /// `${` `inner` `}`.
    private func braced(_ inner: ArraySlice<Part>, from dollar: Part, to close: Part) throws(DotEnvFailure) -> String {
        func written() -> String { String(String.UnicodeScalarView(source[dollar.index...close.index])) }
        guard let first = inner.first, Self.startsName(first.scalar) else {
            throw DotEnvFailure(index: dollar.index,
                                message: "'\(written())': a variable name is letters, digits and '_', and does not start with a digit")
        }
        let nameEnd = inner.firstIndex { !Self.continuesName($0.scalar) } ?? inner.endIndex
        let name = name(inner[..<nameEnd])
        let value = value(of: name)
        guard nameEnd < inner.endIndex else { return value ?? "" }

        let colon = inner[nameEnd].scalar == ":"
        let operatorIndex = colon ? nameEnd + 1 : nameEnd
        guard operatorIndex < inner.endIndex, ["-", "+", "?"].contains(inner[operatorIndex].scalar) else {
            throw DotEnvFailure(index: dollar.index,
                                message: "'\(written())': expected '}' or one of ':-', '-', ':+', '+', ':?', '?' after the name")
        }
        let word = inner[(operatorIndex + 1)...]
        let isSet = colon ? !(value ?? "").isEmpty : value != nil
        switch inner[operatorIndex].scalar {
        case "-":
            if isSet { return value ?? "" }
            return try expand(word)
        case "+":
            if !isSet { return "" }
            return try expand(word)
        default:
            if isSet { return value ?? "" }
            let message = try expand(word)
            throw DotEnvFailure(index: dollar.index, message: "required variable '\(name)' \(value == nil ? "is not set" : "is empty")"
                                + (message.isEmpty ? "" : ": \(message)"))
        }
    }

    private func name(_ parts: ArraySlice<Part>) -> String {
        String(String.UnicodeScalarView(parts.map(\.scalar)))
    }

    private static func startsName(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar)
    }

    private static func continuesName(_ scalar: Unicode.Scalar) -> Bool {
        startsName(scalar) || ("0"..."9").contains(scalar)
    }
}
