import DevctlSystem
import DevctlText
import Foundation

/// Why no services.json could be found; the message says what to do instead.
public struct ConfigLocatorError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(message: String) { self.message = message }

    public var description: String { message }
}

/// Finds the services.json a command works on, the way git finds `.git`, so devctl works from
/// any folder of a project.
public enum ConfigLocator {
    public static let fileName = "services.json"

    /// In order: `explicit` (from `-f`, relative to `currentDirectory`), else `$DEVCTL_FILE`
    /// (an empty value counts as unset), else the nearest `services.json` in `currentDirectory`
    /// or one of its parents. Returns an absolute path whose folder — the project root — is
    /// canonical (symbolic links resolved), so a project reached through a link is the same
    /// project, with the same marker, as the one reached directly.
    public static func locate(explicit: String?, environment: [String: String],
                              currentDirectory: String) throws(ConfigLocatorError) -> String {
        let found = try find(explicit: explicit, environment: environment, currentDirectory: currentDirectory)
        guard let root = FileSystem.canonicalPath(directory(of: found)) else { return found }
        return (root == "/" ? "" : root) + "/" + found[found.index(after: found.lastIndex(of: "/")!)...]
    }

    private static func find(explicit: String?, environment: [String: String],
                             currentDirectory: String) throws(ConfigLocatorError) -> String {
        if let explicit {
            return try existingFile(explicit, givenBy: "-f", currentDirectory: currentDirectory)
        }
        if let fromEnvironment = environment["DEVCTL_FILE"], !fromEnvironment.isEmpty {
            return try existingFile(fromEnvironment, givenBy: "DEVCTL_FILE", currentDirectory: currentDirectory)
        }
        var folder = absolutePath(currentDirectory, relativeTo: "/")
        while true {
            let candidate = absolutePath(fileName, relativeTo: folder)
            if FileSystem.exists(candidate), !FileSystem.isDirectory(candidate) { return candidate }
            if folder == "/" { break }
            folder = directory(of: folder)
        }
        throw ConfigLocatorError(message: "no \(fileName) found in \(absolutePath(currentDirectory, relativeTo: "/")) or any parent folder; create one with 'devctl init' or pass -f FILE")
    }

    private static func existingFile(_ path: String, givenBy source: String,
                                     currentDirectory: String) throws(ConfigLocatorError) -> String {
        let absolute = absolutePath(path, relativeTo: currentDirectory)
        guard FileSystem.exists(absolute) else {
            throw ConfigLocatorError(message: "file '\(path)' given by \(source) does not exist")
        }
        guard !FileSystem.isDirectory(absolute) else {
            throw ConfigLocatorError(message: "'\(path)' given by \(source) is a folder, not a file")
        }
        return absolute
    }

    /// `path` made absolute against `base` with `.`, `..` and repeated slashes removed. This is
    /// purely textual, like `filepath.Clean`: symbolic links are left for the kernel to follow.
    public static func absolutePath(_ path: String, relativeTo base: String) -> String {
        var components: [Substring] = []
        for component in ((path.hasPrefix("/") ? "" : base + "/") + path).split(separator: "/") {
            switch component {
            case ".": continue
            case "..": _ = components.popLast()
            default: components.append(component)
            }
        }
        return "/" + components.joined(separator: "/")
    }

    /// The folder holding an absolute, standardized `path`.
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}
