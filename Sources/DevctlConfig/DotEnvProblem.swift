/// One thing wrong in a dotenv file, at the line and column where it is (columns count Unicode
/// scalars from 1, as for services.json), so the user can go straight to it.
public struct DotEnvProblem: Sendable, Equatable, CustomStringConvertible {
    public var position: SourcePosition
    public var message: String

    public init(position: SourcePosition, message: String) {
        self.position = position
        self.message = message
    }

    public var description: String { "line \(position.line), column \(position.column): \(message)" }
}

/// A problem found while reading, at an index into `DotEnvText.scalars`; `DotEnvText` turns the
/// index into a line and column.
struct DotEnvFailure: Error {
    var index: Int
    var message: String
}
