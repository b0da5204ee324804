#if canImport(Glibc)
import Glibc
#endif

/// Small, allocation-light file helpers over raw descriptors: `/proc` is read thousands of times
/// per scan, and Foundation's file APIs are too slow and too eager to throw for vanished files.
public enum FileSystem {
    /// The whole content of a file, or nil when it cannot be opened or read (e.g. the process
    /// behind a `/proc` path has vanished).
    public static func readBytes(_ path: String, limit: Int = 1 << 26) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readBytes(fd: fd, limit: limit)
    }

    /// Everything left to read from `fd`, or nil when reading fails.
    public static func readBytes(fd: Int32, limit: Int = 1 << 26) -> [UInt8]? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { chunk -> [UInt8]? in
            var result = [UInt8]()
            while result.count < limit {
                let count = read(fd, chunk.baseAddress, chunk.count)
                if count < 0 {
                    if errno == EINTR { continue }
                    return nil
                }
                if count == 0 { break }
                result.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[0..<count]))
            }
            return result
        }
    }

    /// Reads the whole of a small file (a `/proc/PID/stat` line) from `fd` into a buffer on the
    /// stack and hands it to `body`, so the thousands of reads of a scan allocate nothing. Nil when
    /// reading fails or the file does not fit in `capacity` bytes.
    public static func withContents<R>(of fd: Int32, capacity: Int = 4096,
                                       _ body: (UnsafeBufferPointer<UInt8>) -> R?) -> R? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer -> R? in
            var count = 0
            while true {
                guard count < buffer.count else { return nil }
                let got = read(fd, buffer.baseAddress! + count, buffer.count - count)
                if got < 0 {
                    if errno == EINTR { continue }
                    return nil
                }
                if got == 0 { break }
                count += got
            }
            return body(UnsafeBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// The file's content as UTF-8 text (invalid bytes repaired), or nil.
    public static func readText(_ path: String) -> String? {
        readBytes(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The target of a symbolic link, or nil.
    public static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `path` exists and is a directory.
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The uid owning `path`, or nil when it does not exist.
    public static func owner(of path: String) -> UInt32? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_uid : nil
    }

    /// Creates `path` as a directory (mode 0755) if it does not exist; fails with a clear error if
    /// something else is in the way.
    public static func ensureDirectory(_ path: String) throws(SystemCallError) {
        if mkdir(path, 0o755) == 0 { return }
        let error = Errno.current
        if error.rawValue == EEXIST {
            if isDirectory(path) { return }
            throw SystemCallError("mkdir(\(path))", Errno(rawValue: ENOTDIR))
        }
        throw SystemCallError("mkdir(\(path))", error)
    }

    /// Writes `bytes` to `path` atomically: to a unique file beside it, then renamed over the target,
    /// so a reader or a crash of devctl sees either the old or the new file, never a torn one.
    public static func writeAtomically(_ path: String, _ bytes: [UInt8]) throws(SystemCallError) {
        let temporary = "\(path).tmp.\(getpid())"
        let fd = try systemCall("open(\(temporary))") { open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        do {
            try writeAll(fd, bytes, path: temporary)
            close(fd)
            try systemCall("rename(\(temporary), \(path))") { rename(temporary, path) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
    }

    /// Appends `bytes` with one `write(2)` on an `O_APPEND` descriptor, so concurrent appenders
    /// never interleave inside a line.
    public static func append(_ path: String, _ bytes: [UInt8]) throws(SystemCallError) {
        let fd = try systemCall("open(\(path))") { open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644) }
        defer { close(fd) }
        try writeAll(fd, bytes, path: path)
    }

    /// Writes every byte, retrying short writes and `EINTR`.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SystemCallError) {
        var offset = 0
        while offset < bytes.count {
            let written = try systemCall("write(\(path))") {
                bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            }
            offset += written
        }
    }
}
