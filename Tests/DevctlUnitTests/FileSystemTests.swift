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
}
