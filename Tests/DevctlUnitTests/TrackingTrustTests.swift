#if canImport(Glibc)
import Glibc
#endif
import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation
import Testing

/// The ssh-like rules for `.pids/`: the user's own (or root's), writable by no one else, plain files.
@Suite struct TrackingTrustTests {
    static func store() throws -> TrackingStore {
        let root = NSTemporaryDirectory() + "devctl-trust-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let store = TrackingStore(root: root)
        try store.prepare()
        chmod(store.directory, 0o755)
        chmod(store.logsDirectory, 0o755)
        try store.write([TrackedService(name: "api", pid: 4711, pgid: 4711, startTime: 9)])
        return store
    }

    @Test func freshOrMissingFolderIsTrusted() throws {
        let store = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: (store.directory as NSString).deletingLastPathComponent) }
        #expect(TrackingTrust.check(store) == nil)
        #expect(TrackingTrust.check(TrackingStore(root: store.directory + "/nowhere")) == nil)
    }

    @Test func writableByGroupOrOthersIsRefusedWithTheModeThatFixesIt() throws {
        let store = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: (store.directory as NSString).deletingLastPathComponent) }
        chmod(store.directory, 0o757)
        let problem = try #require(TrackingTrust.check(store))
        #expect(problem.message(suggestingForce: true)
            == "'\(store.directory)' is writable by others (mode 0757); refusing to trust it — fix with 'chmod 755 \(store.directory)' or pass --force")
        #expect(!problem.message(suggestingForce: false).contains("--force"))
        chmod(store.directory, 0o755)
        chmod(store.logsDirectory, 0o1777)
        #expect(TrackingTrust.check(store)?.reason == "is writable by its group and others (mode 1777)")
        #expect(TrackingTrust.check(store)?.fix == "chmod 755 \(store.logsDirectory)")
        chmod(store.logsDirectory, 0o755)
        chmod(store.groupsFile, 0o664)
        #expect(TrackingTrust.check(store)?.path == store.groupsFile)
        #expect(TrackingTrust.check(store)?.reason == "is writable by its group (mode 0664)")
    }

    @Test func linksAndFoldersWhereStateFilesBelongAreRefused() throws {
        let store = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: (store.directory as NSString).deletingLastPathComponent) }
        symlink("/etc/passwd", store.eventsFile)
        let problem = try #require(TrackingTrust.check(store))
        #expect(problem.path == store.eventsFile && problem.reason == "is a symbolic link" && problem.isOverridable)
        #expect(problem.fix == "rm \(store.eventsFile)")
        unlink(store.eventsFile)
        mkdir(store.eventsFile, 0o755)
        #expect(TrackingTrust.check(store)?.reason == "is not a regular file")
    }

    @Test func fileWhereAFolderBelongsCannotBeOverridden() throws {
        let root = NSTemporaryDirectory() + "devctl-trust-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = FileManager.default.createFile(atPath: root + "/.pids", contents: Data())
        let problem = try #require(TrackingTrust.check(TrackingStore(root: root)))
        #expect(problem.reason == "is a file, not a folder")
        #expect(!problem.isOverridable)
        #expect(!problem.message(suggestingForce: true).contains("--force"))
    }

    @Test(.enabled(if: geteuid() == 0, "needs root: the folder must belong to root, then be chowned"))
    func anotherUsersFolderIsRefusedButRootsIsNot() throws {
        let store = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: (store.directory as NSString).deletingLastPathComponent) }
        // Judged as if devctl ran as uid 4242: root's folder is fine (as for ssh), 4242's own too.
        #expect(TrackingTrust.check(store, user: 4242) == nil)
        chown(store.directory, 4243, 4243)
        #expect(TrackingTrust.check(store, user: 4242)?.reason == "is owned by another user (uid 4243)")
        chown(store.directory, 4242, 4242)
        #expect(TrackingTrust.check(store, user: 4242) == nil)
    }

    @Test func statusReadsNoEntriesFromAFolderItDoesNotTrust() throws {
        let store = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: (store.directory as NSString).deletingLastPathComponent) }
        #expect(try store.readTrusted().entries.count == 1)
        chmod(store.identityFile, 0o666)
        let snapshot = try store.readTrusted()
        #expect(snapshot.entries.isEmpty)
        #expect(snapshot.problems == ["'\(store.identityFile)' is writable by its group and others (mode 0666); refusing to trust it — fix with 'chmod 644 \(store.identityFile)'"])
    }

    @Test func aLinkWhereATrackingFolderBelongsCannotBeOverridden() throws {
        for folder in [".pids", ".pids/logs"] {
            let root = NSTemporaryDirectory() + "devctl-trust-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: root + "/elsewhere", withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: root) }
            chmod(root + "/elsewhere", 0o755)
            if folder == ".pids/logs" {
                mkdir(root + "/.pids", 0o755)
                chmod(root + "/.pids", 0o755)
            }
            #expect(symlink(root + "/elsewhere", root + "/" + folder) == 0)
            let problem = try #require(TrackingTrust.check(TrackingStore(root: root)), "\(folder)")
            #expect(problem.path == root + "/" + folder)
            #expect(problem.reason == "is a symbolic link")
            #expect(problem.fix == "rm \(root)/\(folder)")
            #expect(!problem.isOverridable, "\(folder)")
        }
    }

    @Test func aLockThatIsNotARegularFileCannotBeOverridden() throws {
        let store = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: (store.directory as NSString).deletingLastPathComponent) }
        unlink(store.lockFile)
        #expect(mkfifo(store.lockFile, 0o644) == 0)
        let problem = try #require(TrackingTrust.check(store))
        #expect(problem.path == store.lockFile && problem.reason == "is not a regular file")
        #expect(!problem.isOverridable, "no flag makes a FIFO lockable")
        unlink(store.lockFile)
        #expect(symlink("/etc/passwd", store.lockFile) == 0)
        #expect(TrackingTrust.check(store)?.isOverridable == false)
    }
}
