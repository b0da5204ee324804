import DevctlSystem
import DevctlText
import Foundation

/// Turns a services.json into a `ServicesConfig`, or refuses it with every problem found, each
/// naming its place, before anything is started.
public enum ConfigLoader {
    /// Reads and validates `file` (relative paths are taken from the current directory).
    /// `environment` is devctl's own, which every service inherits: an `envFile` falls back to it
    /// for the variables it refers to.
    public static func load(file: String,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> ServicesConfig {
        let path = ConfigLocator.absolutePath(file, relativeTo: FileManager.default.currentDirectoryPath)
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(path)
        } catch {
            throw ConfigError(file: path, message: "cannot read the file: \(error.errno)")
        }
        return try parse(data: bytes, file: path, environment: environment)
    }

    /// Validates the contents of `file`. The file's folder is the project root that relative
    /// paths in it are resolved against, and the folders and files they name are checked;
    /// `environment` is the one services inherit, as for `load`.
    public static func parse(data: [UInt8], file: String,
                             environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> ServicesConfig {
        let path = ConfigLocator.absolutePath(file, relativeTo: FileManager.default.currentDirectoryPath)
        let json: JSONValue
        do {
            json = try JSONParser.parse(data)
        } catch {
            throw ConfigError(file: path, message: "invalid JSON: \(error.message)", at: error.position)
        }
        var validator = ConfigValidator(file: path, environment: environment)
        let config = validator.config(from: json)
        if let config, validator.problems.isEmpty { return config }
        throw ConfigError(file: path, problems: validator.problems, unlisted: validator.unlistedProblems)
    }
}
