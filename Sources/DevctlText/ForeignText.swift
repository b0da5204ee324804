/// Text devctl did not write — a process's command line, a service's log line, a container's
/// name, a server's reply — made safe to print on a terminal. Such text may hold escape sequences
/// that recolour, clear or retitle the user's terminal, or a carriage return that writes over the
/// start of the line to fake a line of devctl's own (`api    | …`). Every control character is
/// shown instead (`\x1b[31m`, `\r`), so the user sees what is there and the terminal obeys none of
/// it. Backslashes are left as they are: paths and regular expressions stay readable, at the cost
/// of `\x1b` typed literally looking the same as an escaped ESC.
///
/// For the terminal only: JSON output escapes through `JSONText`, and files keep their bytes.
public enum ForeignText {
    /// What becomes of SGR sequences (`ESC [ 1;31 m`), the only escape sequences a service's
    /// output may legitimately hold: they colour text, and can neither move the cursor nor
    /// write anywhere else.
    public enum Colours: Sendable {
        /// Shown as text, like every other escape sequence: command lines and names.
        case escaped
        /// Passed through, with a reset at the end so a colour cannot leak into devctl's next
        /// line: a service's output on a colour terminal.
        case kept
        /// Dropped: a service's output without colour (`NO_COLOR`, `--no-color`, not a terminal).
        case removed
    }

    /// `text` with every C0 control (but the ones kept), DEL and every C1 control written out:
    /// `\r`, `\n`, `\t`, and `\xNN` for the rest (ESC is `\x1b`).
    public static func escaped(_ text: String, colours: Colours = .escaped, keepingTabs: Bool = false,
                               keepingNewlines: Bool = false) -> String {
        // The common case, plain text, is returned as it is.
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = String.UnicodeScalarView()
        var keptColour = false
        var rest = text.unicodeScalars[...]
        while let scalar = rest.popFirst() {
            if scalar == "\u{1B}", colours != .escaped, let length = sgrLength(after: rest) {
                if colours == .kept {
                    out.append(scalar)
                    out.append(contentsOf: rest.prefix(length))
                    keptColour = true
                }
                rest = rest.dropFirst(length)
                continue
            }
            switch scalar {
            case "\t" where keepingTabs, "\n" where keepingNewlines: out.append(scalar)
            case "\t": out.append(contentsOf: #"\t"#.unicodeScalars)
            case "\n": out.append(contentsOf: #"\n"#.unicodeScalars)
            case "\r": out.append(contentsOf: #"\r"#.unicodeScalars)
            case _ where isControl(scalar): out.append(contentsOf: hex(scalar).unicodeScalars)
            default: out.append(scalar)
            }
        }
        if keptColour { out.append(contentsOf: "\u{1B}[0m".unicodeScalars) }
        return String(out)
    }

    /// C0 controls (tab, newline and carriage return among them), DEL and C1 controls: the
    /// characters a terminal acts on instead of showing. U+009B is CSI on terminals that honour
    /// C1 controls, a one-character ESC `[`.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// The length of the SGR sequence that `rest` continues after an ESC — `[`, parameters
    /// (digits, `;` and `:`), then `m` — or nil when it is none.
    private static func sgrLength(after rest: Substring.UnicodeScalarView) -> Int? {
        guard rest.first == "[" else { return nil }
        var length = 1
        for scalar in rest.dropFirst() {
            length += 1
            if scalar == "m" { return length }
            guard ("0"..."9").contains(scalar) || scalar == ";" || scalar == ":" else { return nil }
        }
        return nil
    }

    private static func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16)
        return #"\x"# + (digits.count < 2 ? "0" : "") + digits
    }
}
