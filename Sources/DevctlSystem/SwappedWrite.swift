#if canImport(Glibc)
import Glibc
#endif

extension FileSystem {
    /// Writes `bytes` to `spare` (never through a link, never into anything but a regular file),
    /// then swaps it with `path` atomically (`renameat2(RENAME_EXCHANGE)`), so the old content
    /// stays in the spare for the next write; where `path` does not exist yet or the file system
    /// cannot swap, renames the spare over it as `writeAtomically` does.
    ///
    /// For a file rewritten often (the tracking files during a start, a keeper's record): a plain
    /// replace frees an inode per write, and ext4 skips recently freed inodes when it allocates,
    /// and a rename over an existing file makes ext4 flush the new one (its auto_da_alloc), so a
    /// later unlink waits for that disk write.
    public static func writeBySwapping(_ path: String, _ bytes: [UInt8], spare: String) throws(SystemCallError) {
        let fd = try systemCall("open(\(spare))") { open(spare, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o644) }
        do throws(SystemCallError) {
            var status = stat()
            try systemCall("fstat(\(spare))") { fstat(fd, &status) }
            guard status.st_mode & S_IFMT == S_IFREG else { throw SystemCallError("open(\(spare))", Errno(rawValue: EINVAL)) }
            // Overwritten in place and cut only when the old content was longer: ext4 flushes a
            // file truncated to zero when it is closed (its auto_da_alloc), a disk wait per write.
            try writeAll(fd, bytes, path: spare)
            if status.st_size > bytes.count { try systemCall("ftruncate(\(spare))") { ftruncate(fd, off_t(bytes.count)) } }
            close(fd)
        } catch {
            close(fd)
            unlink(spare)
            throw error
        }
        do {
            if try exchange(spare, with: path) { return }
            try systemCall("rename(\(spare), \(path))") { rename(spare, path) }
        } catch {
            unlink(spare)
            throw error
        }
    }
}
