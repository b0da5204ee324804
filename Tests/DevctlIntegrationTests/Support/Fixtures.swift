import Foundation

/// The small scripts under Tests/Fixtures that give tests real process shapes.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fixtures").standardized.path

    static func path(_ name: String) -> String { directory + "/" + name }
}
