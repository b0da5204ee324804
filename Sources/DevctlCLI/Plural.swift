/// A count with its noun, agreeing in number — "1 process", "2 processes" — so that no line of
/// devctl's reads "process(es)".
public enum Plural {
    /// `count` and `noun`, the noun made plural (by `plural`, else by English's regular rule)
    /// unless `count` is 1.
    public static func counted(_ count: Int, _ noun: String, plural: String? = nil) -> String {
        "\(count) \(count == 1 ? noun : plural ?? regular(noun))"
    }

    /// "1st", "2nd", "3rd", "4th", "11th", "22nd": which restart is next.
    public static func ordinal(_ number: Int) -> String {
        let suffix = switch (number % 10, number % 100) {
        case (_, 11...13): "th"
        case (1, _): "st"
        case (2, _): "nd"
        case (3, _): "rd"
        default: "th"
        }
        return "\(number)\(suffix)"
    }

    private static func regular(_ noun: String) -> String {
        let sibilant = ["s", "x", "z", "ch", "sh"].contains { noun.hasSuffix($0) }
        return noun + (sibilant ? "es" : "s")
    }
}
