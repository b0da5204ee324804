/// The one alphabet of devctl's names: a service name is `[A-Za-z0-9_-]+`, a project name may also
/// hold dots (`[A-Za-z0-9_.-]+`). services.json is checked against it, the tracking files are read
/// with it, shell completion bakes in only names that pass it, and names taken from elsewhere (a
/// Procfile, a folder) are made to pass it.
public enum NameRule {
    /// Whether `text` is a name: non-empty and made of the alphabet's characters only.
    public static func isValid(_ text: String, allowingDots: Bool = false) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { isAllowed($0, allowingDots: allowingDots) }
    }

    /// `text` with every character outside the alphabet replaced by `-` (`web.1` → `web-1`).
    public static func sanitized(_ text: String, allowingDots: Bool = false) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { isAllowed($0, allowingDots: allowingDots) ? $0 : "-" }))
    }

    private static func isAllowed(_ scalar: Unicode.Scalar, allowingDots: Bool) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
            || scalar == "_" || scalar == "-" || (allowingDots && scalar == ".")
    }
}
