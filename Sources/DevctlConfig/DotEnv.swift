/// The variables of a dotenv file (a service's `envFile`), read as python-dotenv and docker
/// compose read it, so that a file shared with the app or with compose means the same here.
/// Every malformed line, and anything a service could not be given unchanged (a NUL byte,
/// invalid UTF-8), is a problem at its line and column, never a silent change: a variable that
/// is quietly missing or cut short is much harder to track down.
///
/// - A statement is `KEY=value` or `export KEY=value`; blank lines and `#` comments are skipped.
///   Only `\n`, `\r\n` and `\r` end a line.
/// - An unquoted value is trimmed, and a `#` after a blank starts a comment. A single-quoted
///   value is literal. A double-quoted value decodes `\n`, `\t`, `\r`, `\"`, `\\`, `\'`, `\$`,
///   `\a`, `\b`, `\f` and `\v`, and keeps any other backslash. Quoted values may span lines.
/// - Unquoted and double-quoted values expand `${NAME}`, `$NAME` and the other forms of
///   `DotEnvInterpolation`, from the file's earlier lines, then from the environment the service
///   inherits. An undefined name is empty.
/// - A key repeated later wins, as in a shell.
///
/// Where python-dotenv and compose differ, devctl takes compose's side: `$NAME` and `$$` are
/// expanded (python-dotenv leaves them), a single-quoted value is not (python-dotenv expands it),
/// and `${NAME:-default}` applies to an empty variable too (python-dotenv's only to an unset one).
/// Where python-dotenv is silent or lenient, devctl refuses: a malformed reference such as
/// `${a b}` (python-dotenv expands it to nothing), and `'it\'s'`, since `\'` does not escape in
/// single quotes, as in a shell.
public struct DotEnv: Sendable, Equatable {
    /// Complete only when `problems` is empty.
    public var variables: [String: String]
    /// In the order of their places in the file.
    public var problems: [DotEnvProblem]

    /// `environment` is the one the service inherits, which the file may refer to.
    public init(parsing bytes: [UInt8], environment: [String: String]) {
        let text = DotEnvText(decoding: bytes)
        var parser = DotEnvParser(text: text, environment: environment)
        parser.parse()
        variables = parser.variables
        problems = (text.problems + parser.problems).enumerated().sorted { left, right in
            let (a, b) = (left.element.position, right.element.position)
            return (a.line, a.column, left.offset) < (b.line, b.column, right.offset)
        }.map(\.element)
    }
}
