#if canImport(Glibc)
import Glibc
#endif
@testable import DevctlSystem
import Foundation
import Testing

/// `.pids/lock` is taken only as a regular file: the holder truncates and rewrites it, so a link
/// must never aim that write, and a FIFO must never be waited on while the user waits for the lock.
@Suite struct FileLockTests {
    @Test func aLinkAsTheLockIsRefusedAndItsTargetUntouched() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let victim = folder + "/victim", path = folder + "/lock"
        try FileSystem.writeAtomically(victim, Array("precious\n".utf8))
        #expect(symlink(victim, path) == 0)
        let lock = FileLock(path: path)
        #expect(FileKindFixture.failure { _ = try lock.acquire(timeout: 0, describing: "devctl test") }
            == "'\(path)' is a symbolic link, not a regular file")
        #expect(FileSystem.readText(victim) == "precious\n")
    }

    @Test func aFIFOAsTheLockIsRefusedWithoutWaiting() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let path = folder + "/lock"
        #expect(mkfifo(path, 0o644) == 0)
        let refused = FileKindFixture.outcome(releasing: path) {
            FileKindFixture.failure { _ = try FileLock(path: path).acquire(timeout: 0, describing: "devctl test") }
        }
        #expect(refused == "'\(path)' is a FIFO, not a regular file")
    }

    @Test func theHolderIsNamedFromTheFileItLocked() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let path = folder + "/lock"
        let holder = FileLock(path: path)
        #expect(try holder.acquire(timeout: 0, describing: "devctl start api") == nil)
        let waiter = FileLock(path: path)
        #expect(try waiter.acquire(timeout: 0, describing: "devctl stop") == FileLock.Holder(pid: getpid(), command: "devctl start api"))
        holder.release()
        #expect(try waiter.acquire(timeout: 0, describing: "devctl stop") == nil)
    }
}
