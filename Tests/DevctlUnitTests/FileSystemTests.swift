import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct FileSystemTests {
    @Test func readSaysWhyAFileCannotBeRead() {
        #expect(throws: SystemCallError("read(/proc)", Errno(rawValue: EISDIR))) { try FileSystem.read("/proc") }
        #expect(throws: SystemCallError("open(/devctl-no-such-file)", Errno(rawValue: ENOENT))) {
            try FileSystem.read("/devctl-no-such-file")
        }
        #expect(FileSystem.readBytes("/devctl-no-such-file") == nil)
    }

    @Test func readReadsProcFilesThatReportNoSizeToTheirEnd() throws {
        let bytes = try FileSystem.read("/proc/self/cmdline")
        #expect(bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) } == CommandLine.arguments)
    }

    @Test func directoryEntriesListsNamesWithoutDotEntries() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("devctl-fs-\(getpid())").path
        try FileSystem.ensureDirectory(folder)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileSystem.writeAtomically(folder + "/a", [])
        try FileSystem.ensureDirectory(folder + "/b")
        #expect(FileSystem.directoryEntries(folder).sorted() == ["a", "b"])
        #expect(FileSystem.directoryEntries(folder + "/missing") == [])
    }

    @Test func readLinkAndExistence() {
        #expect(FileSystem.readLink("/proc/self/cwd") == FileManager.default.currentDirectoryPath)
        #expect(FileSystem.exists("/proc") && FileSystem.isDirectory("/proc"))
        #expect(FileSystem.exists("/proc/self/stat") && !FileSystem.isDirectory("/proc/self/stat"))
        #expect(!FileSystem.exists("/devctl-no-such-file"))
    }

    @Test func appendNeverWritesThroughALinkNorWaitsOnAFIFO() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let victim = folder + "/victim", link = folder + "/events.log", fifo = folder + "/fifo.log"
        try FileSystem.writeAtomically(victim, Array("precious\n".utf8))
        #expect(symlink(victim, link) == 0)
        #expect(FileKindFixture.failure { try FileSystem.append(link, Array("line\n".utf8)) } == "'\(link)' is a symbolic link, not a regular file")
        #expect(FileSystem.readText(victim) == "precious\n")

        #expect(mkfifo(fifo, 0o644) == 0)
        let refused = FileKindFixture.outcome(releasing: fifo) { FileKindFixture.failure { try FileSystem.append(fifo, Array("line\n".utf8)) } }
        #expect(refused == "'\(fifo)' is a FIFO, not a regular file", "nil: append waited for a reader of the FIFO")

        try FileSystem.append(folder + "/new.log", Array("one\n".utf8))
        try FileSystem.append(folder + "/new.log", Array("two\n".utf8))
        #expect(FileSystem.readText(folder + "/new.log") == "one\ntwo\n")
    }

    @Test func readRegularFileRefusesLinksFIFOsAndFoldersWithoutWaiting() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        try FileSystem.writeAtomically(folder + "/plain", Array("text".utf8))
        #expect(try FileSystem.readRegularFile(folder + "/plain") == Array("text".utf8))
        #expect(try FileSystem.readRegularFile(folder + "/missing") == nil)
        #expect(symlink(folder + "/plain", folder + "/link") == 0)
        #expect(FileKindFixture.failure { _ = try FileSystem.readRegularFile(folder + "/link") } == "'\(folder)/link' is a symbolic link, not a regular file")
        #expect(FileKindFixture.failure { _ = try FileSystem.readRegularFile(folder) } == "'\(folder)' is a folder, not a regular file")
        let fifo = folder + "/fifo"
        #expect(mkfifo(fifo, 0o644) == 0)
        let refused = FileKindFixture.outcome(releasing: fifo) { FileKindFixture.failure { _ = try FileSystem.readRegularFile(fifo) } }
        #expect(refused == "'\(fifo)' is a FIFO, not a regular file", "nil: the read waited for a writer")
    }

    @Test func writeAtomicallyReplacesWhateverAStaleTemporaryOfItsOwnNameIs() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let victim = folder + "/victim", target = folder + "/services.pids"
        let temporary = "\(target).tmp.\(getpid())"
        try FileSystem.writeAtomically(victim, Array("precious\n".utf8))
        // A link where the temporary goes is removed, never written through.
        #expect(symlink(victim, temporary) == 0)
        try FileSystem.writeAtomically(target, Array("4711\n".utf8))
        #expect(FileSystem.readText(victim) == "precious\n")
        #expect(FileSystem.readText(target) == "4711\n")
        #expect(!FileSystem.exists(temporary))

        // Nor is a FIFO there waited on.
        #expect(mkfifo(temporary, 0o644) == 0)
        let written = FileKindFixture.outcome(releasing: temporary) {
            FileKindFixture.failure { try FileSystem.writeAtomically(target, Array("4712\n".utf8)) } ?? "written"
        }
        #expect(written == "written", "nil: the write waited for a reader of the FIFO")
        // Read without blocking: had the FIFO been renamed into place, a plain read would wait.
        var read: [UInt8]?
        #expect(FileKindFixture.failure { read = try FileSystem.readRegularFile(target) } == nil)
        #expect(read == Array("4712\n".utf8))
    }

    @Test func ensureDirectoryRefusesALinkToAFolder() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        try FileSystem.ensureDirectory(folder + "/real")
        #expect(symlink(folder + "/real", folder + "/linked") == 0)
        #expect(FileKindFixture.failure { try FileSystem.ensureDirectory(folder + "/linked") } != nil, "a link to a folder is not a folder")
        try FileSystem.ensureDirectory(folder + "/real")
    }
}
