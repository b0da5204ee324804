import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation
import Testing

@Suite struct TrackingStoreTests {
    static func temporaryStore() throws -> TrackingStore {
        let root = NSTemporaryDirectory() + "devctl-store-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let store = TrackingStore(root: root)
        try store.prepare()
        return store
    }

    /// Removes the folder `temporaryStore` made, FIFOs and links in it included.
    static func remove(_ store: TrackingStore) {
        try? FileManager.default.removeItem(atPath: (store.directory as NSString).deletingLastPathComponent)
    }

    @Test func writesTheThreeLegacyFormatsAndReadsBackIdentity() throws {
        let store = try Self.temporaryStore()
        defer { Self.remove(store) }
        try store.write([TrackedService(name: "api", pid: 4711, pgid: 4711, startTime: 99),
                         TrackedService(name: "worker", pid: 4712, pgid: 4712, startTime: 100)])
        #expect(FileSystem.readText(store.pidsFile) == "4711\n4712\n")
        #expect(FileSystem.readText(store.servicesFile) == "api:4711\nworker:4712\n")
        #expect(FileSystem.readText(store.groupsFile) == "4711:api:4711\n4712:worker:4712\n")
        let snapshot = try store.read()
        #expect(snapshot.problems.isEmpty)
        #expect(snapshot.entries == [TrackedService(name: "api", pid: 4711, pgid: 4711, startTime: 99),
                                     TrackedService(name: "worker", pid: 4712, pgid: 4712, startTime: 100)])
    }

    @Test func garbageLinesAreReportedAndSkipped() throws {
        let store = try Self.temporaryStore()
        defer { Self.remove(store) }
        try Array("api:4711:4711:99\nnot a line\nx:y:z:w\n:1:1:1\nbad/name:5:5:5\nworker:-3:-3:1\napi:4800:4800:5\ndb:12:12:7\n".utf8)
            .withUnsafeBufferPointer { try Data(buffer: $0).write(to: URL(fileURLWithPath: store.identityFile)) }
        let snapshot = try store.read()
        #expect(snapshot.entries.map(\.name) == ["api", "db"])
        #expect(snapshot.problems.count == 6)
        #expect(snapshot.problems.first?.contains("line 2") == true)
    }

    @Test func legacyFilesWithoutIdentityAreReadWithoutStartTime() throws {
        let store = try Self.temporaryStore()
        defer { Self.remove(store) }
        try "4711:api:4711\n".write(toFile: store.groupsFile, atomically: true, encoding: .utf8)
        #expect(try store.read().entries == [TrackedService(name: "api", pid: 4711, pgid: 4711, startTime: nil)])
        unlink(store.groupsFile)
        try "api:4711\n".write(toFile: store.servicesFile, atomically: true, encoding: .utf8)
        #expect(try store.read().entries == [TrackedService(name: "api", pid: 4711, pgid: 4711, startTime: nil)])
    }

    @Test func writingNoEntriesRemovesTheFiles() throws {
        let store = try Self.temporaryStore()
        defer { Self.remove(store) }
        try store.write([TrackedService(name: "api", pid: 4711, pgid: 4711, startTime: 9)])
        try store.write([])
        for file in [store.identityFile, store.pidsFile, store.servicesFile, store.groupsFile] {
            #expect(!FileManager.default.fileExists(atPath: file))
        }
    }

    @Test func reconcileRewritesLegacyFilesThatLagBehindTheIdentityFile() throws {
        let store = try Self.temporaryStore()
        defer { Self.remove(store) }
        let entries = [TrackedService(name: "api", pid: 4711, pgid: 4711, startTime: 99),
                       TrackedService(name: "web", pid: 4712, pgid: 4712, startTime: 100)]
        try store.write(entries)
        #expect(try store.reconcile() == false, "consistent files are left alone")
        try "4711\n".write(toFile: store.pidsFile, atomically: true, encoding: .utf8)
        unlink(store.groupsFile)
        #expect(try store.reconcile() == true)
        #expect(FileSystem.readText(store.pidsFile) == "4711\n4712\n")
        #expect(FileSystem.readText(store.groupsFile) == "4711:api:4711\n4712:web:4712\n")
        #expect(try store.read().entries == entries)
    }

    @Test func legacyFilesAloneAreNotReconciledAway() throws {
        let store = try Self.temporaryStore()
        defer { Self.remove(store) }
        try "4711:api:4711\n".write(toFile: store.groupsFile, atomically: true, encoding: .utf8)
        #expect(try store.reconcile() == false)
        #expect(FileSystem.readText(store.groupsFile) == "4711:api:4711\n")
    }

    @Test func aStateFileThatIsNotAPlainFileIsAnErrorNeverWaitedOn() throws {
        let store = try Self.temporaryStore()
        defer { Self.remove(store) }
        #expect(mkfifo(store.identityFile, 0o644) == 0)
        // Opened without blocking: a FIFO nobody writes to would otherwise hang the read forever.
        #expect(throws: RegularFileError.notRegular(path: store.identityFile, found: "a FIFO")) { try store.read() }
        unlink(store.identityFile)
        #expect(mkdir(store.identityFile, 0o755) == 0)
        #expect(throws: RegularFileError.notRegular(path: store.identityFile, found: "a folder")) { try store.read() }
        rmdir(store.identityFile)
        #expect(symlink(store.groupsFile, store.identityFile) == 0)
        #expect(throws: RegularFileError.notRegular(path: store.identityFile, found: "a symbolic link"),
                "a planted link is not followed") { try store.read() }
        unlink(store.identityFile)
        #expect(try store.read().entries.isEmpty, "no file at all: no entries, no error")
    }

    @Test func aWriteNeverGoesThroughALinkPlantedWhereItsTemporaryGoes() throws {
        let store = try Self.temporaryStore()
        defer { Self.remove(store) }
        let victim = store.directory + "/../victim"
        try FileSystem.writeAtomically(victim, Array("precious\n".utf8))
        #expect(symlink(victim, store.identityFile + ".tmp.\(getpid())") == 0)
        try store.write([TrackedService(name: "api", pid: 4711, pgid: 4711, startTime: 9)])
        #expect(FileSystem.readText(victim) == "precious\n")
        #expect(try store.read().entries.map(\.name) == ["api"])
    }

    @Test func prepareRefusesALinkWhereTheLogsFolderBelongs() throws {
        let store = try Self.temporaryStore()
        defer { Self.remove(store) }
        let elsewhere = store.directory + "/../elsewhere"
        #expect(mkdir(elsewhere, 0o755) == 0)
        #expect(rmdir(store.logsDirectory) == 0)
        #expect(symlink(elsewhere, store.logsDirectory) == 0)
        #expect(throws: SystemCallError("mkdir(\(store.logsDirectory))", Errno(rawValue: ENOTDIR))) { try store.prepare() }
        #expect(FileSystem.directoryEntries(elsewhere).isEmpty)
    }
}
