import DevctlTracking
import Foundation
import Testing

/// The tracking store against real processes: a temporary file is its writer's until that
/// writer is dead, which takes a process that has really exited.
@Suite struct TrackingStoreTests {
    @Test func temporaryFilesOfDeadWritersAreRemovedOnTheNextWrite() throws {
        let root = NSTemporaryDirectory() + "devctl-store-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = TrackingStore(root: root)
        try store.prepare()
        let dead = try TestProcesses.reapedPID()
        let stale = store.identityFile + ".tmp.\(dead)", alive = store.pidsFile + ".tmp.1"
        let unrelated = store.directory + "/notes.tmp.\(dead)"
        for path in [stale, alive, unrelated] { _ = FileManager.default.createFile(atPath: path, contents: Data("api:1".utf8)) }
        #expect(try store.read().entries.isEmpty, "temporary files are never read")
        try store.write([TrackedService(name: "api", pid: 4711, pgid: 4711, startTime: 9)])
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: alive), "a live writer's file is not touched")
        #expect(FileManager.default.fileExists(atPath: unrelated))
    }
}
