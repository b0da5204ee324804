import Foundation

/// Whether a pattern of services.json compiles as an `NSRegularExpression`, the engine devctl
/// matches with, and if not, why. Foundation on Linux only says "the value is invalid", so the
/// reason comes from Swift's own regex parser, which reads the same syntax and names the fault
/// ("expected ')'").
enum RegularExpressionSyntax {
    /// Nil when `pattern` compiles, else the reason it does not.
    static func problem(in pattern: String) -> String? {
        guard (try? NSRegularExpression(pattern: pattern)) == nil else { return nil }
        do {
            _ = try Regex(pattern)
        } catch {
            return "\(error)"
        }
        return "not valid NSRegularExpression syntax"
    }
}
