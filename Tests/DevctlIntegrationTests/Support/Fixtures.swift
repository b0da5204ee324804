import Foundation

/// The small scripts under Tests/Fixtures that give tests real process shapes.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fixtures").standardized.path

    static func path(_ name: String) -> String { directory + "/" + name }

    /// A services.json of `count` services `s1`…`sN`, each `sleep 300`.
    static func sleepers(_ count: Int) -> String {
        let services = (1...count).map { #"{"name": "s\#($0)", "command": ["sleep", "300"]}"# }
        return #"{"services": [\#(services.joined(separator: ", "))]}"#
    }
}
