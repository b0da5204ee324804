#if canImport(Glibc)
import Glibc
#endif
import DevctlSystem
import DevctlTracking
import Foundation
import Testing

/// A service's log is opened for a run only as a regular file: never through a link, never a FIFO
/// that would block `start` (holding the lock) until someone reads it.
@Suite struct ServiceLogTests {
    @Test func aLinkAsTheLogIsRefusedAndItsTargetUntouched() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let victim = folder + "/victim", path = folder + "/api.log"
        try FileSystem.writeAtomically(victim, Array("precious\n".utf8))
        #expect(symlink(victim, path) == 0)
        #expect(FileKindFixture.failure { _ = try ServiceLog.openForRun(path: path, service: "api", command: "sleep 300") }
            == "'\(path)' is a symbolic link, not a regular file")
        #expect(FileSystem.readText(victim) == "precious\n")
    }

    @Test func aFIFOAsTheLogIsRefusedWithoutWaiting() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let path = folder + "/api.log"
        #expect(mkfifo(path, 0o644) == 0)
        let refused = FileKindFixture.outcome(releasing: path) {
            FileKindFixture.failure { _ = try ServiceLog.openForRun(path: path, service: "api", command: "sleep 300") }
        }
        #expect(refused == "'\(path)' is a FIFO, not a regular file", "nil: the open waited for a reader")
    }

    @Test func aRegularLogIsAppendedWithAHeaderAndHandedOverBlocking() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let path = folder + "/api.log"
        try FileSystem.writeAtomically(path, Array("earlier\n".utf8))
        let fd = try ServiceLog.openForRun(path: path, service: "api", command: "sleep 300")
        // The child inherits this descriptor as its stdout: no surprise O_NONBLOCK on it.
        #expect(fcntl(fd, F_GETFL) & O_NONBLOCK == 0)
        #expect(fcntl(fd, F_GETFL) & O_APPEND != 0)
        close(fd)
        let text = try #require(FileSystem.readText(path))
        #expect(text.hasPrefix("earlier\n==> devctl "))
        #expect(text.hasSuffix(" start api: sleep 300\n"))
    }
}
