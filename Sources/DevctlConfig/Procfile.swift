import DevctlSystem
import DevctlText
/// A Procfile as foreman, honcho and overmind read it: one `name: command` per line, `#`
/// comments and blank lines ignored. `devctl init --from-procfile` turns it into services.json.
public struct Procfile: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        /// Usable as a service name (see `NameRule`), unique in the file.
        public var name: String
        /// The name as the Procfile wrote it, when it had to change.
        public var originalName: String
        /// Run by a shell, as foreman does.
        public var command: String
        /// 1-based, for messages.
        public var line: Int
    }

    public var entries: [Entry]

    /// The name of an entry whose own name has no letter, digit or '_' to keep.
    public static let generatedName = "service"

    /// Reads every line, and refuses the file with every line it cannot read.
    public static func parse(_ text: String) throws(ProcfileError) -> Procfile {
        var entries = [Entry]()
        var problems = [String]()
        var taken = Set<String>()
        // `\r\n` is one Character in Swift: split on newlines, not on "\n", for Windows line ends.
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimming(" \t")
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":") else {
                problems.append("line \(index + 1): expected 'name: command', got '\(line.prefix(60))'")
                continue
            }
            let original = line[..<colon].trimming(" \t")
            let command = line[line.index(after: colon)...].trimming(" \t")
            guard !original.isEmpty, !command.isEmpty else {
                problems.append("line \(index + 1): expected 'name: command', got '\(line.prefix(60))'")
                continue
            }
            // A name with nothing usable in it (`веб`, `--`) gets a generated one, numbered like
            // a duplicate: `service`, `service-2`, …
            var name = NameRule.sanitized(original)
            if name.isEmpty { name = Self.generatedName }
            if taken.contains(name) {
                var suffix = 2
                while taken.contains("\(name)-\(suffix)") { suffix += 1 }
                name = "\(name)-\(suffix)"
            }
            taken.insert(name)
            entries.append(Entry(name: name, originalName: original, command: command, line: index + 1))
        }
        if entries.isEmpty, problems.isEmpty { problems.append("no 'name: command' line found") }
        guard problems.isEmpty else { throw ProcfileError(problems: problems) }
        return Procfile(entries: entries)
    }
}

/// A Procfile devctl cannot convert, with every line at fault.
public struct ProcfileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [String]

    public var description: String { problems.joined(separator: "\n") }
}
