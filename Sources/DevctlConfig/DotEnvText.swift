/// A dotenv file's bytes as Unicode scalars, and where its lines start. Only `\n`, `\r\n` and a
/// lone `\r` end a line, as in python-dotenv: a form feed, a vertical tab, NEL or U+2028 is text
/// (Swift's `isNewline` would split there). A byte that cannot reach a service's environment —
/// a NUL, which C would cut the value at, or invalid UTF-8 — is a problem wherever it is.
struct DotEnvText {
    /// The scalars of the file, with U+FFFD standing in for each invalid UTF-8 sequence.
    let scalars: [Unicode.Scalar]
    /// NUL bytes and invalid UTF-8: the first on each line, which is enough to find it and keeps
    /// the report of a binary file short.
    let problems: [DotEnvProblem]
    /// Where each line starts, as an index into `scalars`.
    private let lineStarts: [Int]

    init(decoding bytes: [UInt8]) {
        var scalars: [Unicode.Scalar] = []
        var failures: [DotEnvFailure] = []
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        decoding: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                let scalar = Unicode.UTF8.decode(encoded)
                if scalar == "\0" {
                    failures.append(DotEnvFailure(index: scalars.count, message: "a NUL byte cannot be passed in an environment variable"))
                }
                scalars.append(scalar)
                offset += encoded.count
            case .error(let length):
                let byte = String(bytes[offset], radix: 16, uppercase: true)
                failures.append(DotEnvFailure(index: scalars.count, message: "invalid UTF-8 byte 0x\(byte); the file must be UTF-8 encoded"))
                scalars.append("\u{FFFD}")
                offset += length
            case .emptyInput:
                break decoding
            }
        }
        var lineStarts = [0]
        for index in scalars.indices {
            // The `\r` of a `\r\n` does not end a line: its `\n` does.
            let endsLine = scalars[index] == "\n" || scalars[index] == "\r" && scalars[(index + 1)...].first != "\n"
            if endsLine { lineStarts.append(index + 1) }
        }
        self.scalars = scalars
        self.lineStarts = lineStarts
        var problems: [DotEnvProblem] = []
        for failure in failures {
            let position = Self.position(of: failure.index, in: lineStarts)
            if problems.last?.position.line != position.line {
                problems.append(DotEnvProblem(position: position, message: failure.message))
            }
        }
        self.problems = problems
    }

    func problem(_ failure: DotEnvFailure) -> DotEnvProblem {
        DotEnvProblem(position: position(of: failure.index), message: failure.message)
    }

    func position(of index: Int) -> SourcePosition { Self.position(of: index, in: lineStarts) }

    static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool { scalar == "\n" || scalar == "\r" }

    /// Whitespace within a line.
    static func isBlank(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace && !isLineBreak(scalar) }

    /// The index of the line break that ends the line holding `index`, or the end of the text.
    func endOfLine(from index: Int) -> Int {
        scalars[index...].firstIndex(where: Self.isLineBreak) ?? scalars.count
    }

    /// The index just after the line break that ends the line holding `index` (`\r\n` is one).
    func startOfNextLine(from index: Int) -> Int {
        let lineBreak = endOfLine(from: index)
        guard lineBreak < scalars.count else { return lineBreak }
        let isCRLF = scalars[lineBreak] == "\r" && scalars[(lineBreak + 1)...].first == "\n"
        return lineBreak + (isCRLF ? 2 : 1)
    }

    private static func position(of index: Int, in lineStarts: [Int]) -> SourcePosition {
        // The last line that starts at or before `index`.
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= index { low = middle } else { high = middle - 1 }
        }
        return SourcePosition(line: low + 1, column: index - lineStarts[low] + 1)
    }
}
