import DevctlSystem
import DevctlText
/// One thing wrong with a services.json, with the place to fix it: a key path such as
/// `services[2].healthcheck.tcp`, or `services.json:12:5` for a problem with the file itself.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// A services.json that cannot be used, with every problem found in it, so that one run tells
/// the user everything to fix rather than one thing at a time.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    /// The absolute path of the file.
    public var file: String
    public var problems: [ConfigProblem]
    /// Further problems that were counted but not listed.
    public var unlisted: Int

    public init(file: String, problems: [ConfigProblem], unlisted: Int = 0) {
        self.file = file
        self.problems = problems
        self.unlisted = unlisted
    }

    /// An error about the file as a whole, placed at `position` when there is one.
    init(file: String, message: String, at position: SourcePosition? = nil) {
        let name = ConfigError.name(of: file)
        self.init(file: file, problems: [ConfigProblem(path: position.map { "\(name):\($0)" } ?? name, message: message)])
    }

    /// The file's name, as messages show it.
    public var fileName: String { ConfigError.name(of: file) }

    static func name(of file: String) -> String { String(file.split(separator: "/").last ?? Substring(file)) }

    public var description: String {
        // A problem with the file as a whole (unreadable, not JSON) is the only one there can
        // be, and already says which file it is.
        if problems.count == 1, problems[0].path == fileName || problems[0].path.hasPrefix(fileName + ":") {
            return problems[0].description
        }
        let count = problems.count + unlisted
        let header = "\(fileName) has \(count) problem\(count == 1 ? "" : "s"):"
        let more = unlisted > 0 ? ["  … and \(unlisted) more"] : []
        return ([header] + problems.map { "  \($0)" } + more).joined(separator: "\n")
    }
}
