import Foundation
@testable import DevctlCLI
@testable import DevctlConfig
@testable import DevctlLifecycle
@testable import DevctlProcesses
@testable import DevctlSystem
@testable import DevctlText
@testable import DevctlTracking

/// A throwaway project folder for config tests; removed when the fixture goes away.
final class ConfigFixture {
    let root: String

    init(folderName: String = "project") {
        let parent = FileManager.default.temporaryDirectory.path + "/devctl-config-tests-" + UUID().uuidString
        root = parent + "/" + folderName
        try! FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: ConfigLocator.directory(of: root))
    }

    var file: String { root + "/services.json" }

    func write(_ relativePath: String, _ contents: String) {
        write(relativePath, bytes: Array(contents.utf8))
    }

    func write(_ relativePath: String, bytes: [UInt8]) {
        let path = root + "/" + relativePath
        try! FileManager.default.createDirectory(atPath: ConfigLocator.directory(of: path), withIntermediateDirectories: true)
        precondition(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
    }

    func makeFolder(_ relativePath: String) {
        try! FileManager.default.createDirectory(atPath: root + "/" + relativePath, withIntermediateDirectories: true)
    }

    /// Writes `json` as services.json and loads it.
    func load(_ json: String) throws(ConfigError) -> ServicesConfig {
        write("services.json", json)
        return try ConfigLoader.load(file: file)
    }

    /// The problems `json` is refused with, as printed; empty if it loads.
    func problems(_ json: String) -> [String] {
        do {
            _ = try load(json)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    /// The problems of a file with one service `{"name": "web", "command": "run", <extra>}`.
    func serviceProblems(_ extra: String) -> [String] {
        problems(#"{"services": [{"name": "web", "command": "run", \#(extra)}]}"#)
    }
}
