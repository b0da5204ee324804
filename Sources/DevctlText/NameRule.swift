/// The one alphabet of devctl's names: a service name is `[A-Za-z0-9_][A-Za-z0-9_-]*`, a project
/// name may also hold dots (`[A-Za-z0-9_.-]+`). services.json is checked against it, the tracking
/// files are read with it, shell completion bakes in only names that pass it, and names taken from
/// elsewhere (a Procfile, a folder) are made to pass it.
///
/// A service name is typed as an argument (`devctl stop NAME`), so it cannot start with `-`: a
/// service called `--` or `-f` would read as an option. A project name never is, and keeps the
/// looser rule so that existing folders such as `.devenv` keep the name they had.
public enum NameRule {
    /// Whether `text` is a service name, or with `allowingDots` a project name.
    public static func isValid(_ text: String, allowingDots: Bool = false) -> Bool {
        guard let first = text.unicodeScalars.first else { return false }
        return (allowingDots || canStartServiceName(first))
            && text.unicodeScalars.allSatisfy { isAllowed($0, allowingDots: allowingDots) }
    }

    /// Whether `text` is made of the alphabet's characters but starts with `-`: the one way to
    /// get a service name wrong that deserves its own message.
    public static func startsLikeAnOption(_ text: String) -> Bool {
        text.hasPrefix("-") && text.unicodeScalars.allSatisfy { isAllowed($0, allowingDots: false) }
    }

    /// `text` with every character outside the alphabet replaced by `-` (`web.1` → `web-1`); a
    /// service name also loses the dashes it would start with (`é-web` → `web`), so it may come
    /// out empty.
    public static func sanitized(_ text: String, allowingDots: Bool = false) -> String {
        var scalars = text.unicodeScalars.map { isAllowed($0, allowingDots: allowingDots) ? $0 : "-" }[...]
        if !allowingDots { scalars = scalars.drop { !canStartServiceName($0) } }
        return String(String.UnicodeScalarView(scalars))
    }

    private static func canStartServiceName(_ scalar: Unicode.Scalar) -> Bool {
        scalar != "-" && isAllowed(scalar, allowingDots: false)
    }

    private static func isAllowed(_ scalar: Unicode.Scalar, allowingDots: Bool) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
            || scalar == "_" || scalar == "-" || (allowingDots && scalar == ".")
    }
}
