#if canImport(Glibc)
import Glibc
#endif

/// Small, allocation-light file helpers over raw descriptors: `/proc` is read thousands of times
/// per scan, and Foundation's file APIs are too slow and too eager to throw for vanished files.
public enum FileSystem {
    /// The whole content of a file (up to about `limit` bytes), or the system's reason why it
    /// cannot be opened or read ("Permission denied", "Is a directory"). `/proc` files report a
    /// size of 0, so it reads until `read(2)` returns 0.
    public static func read(_ path: String, limit: Int = .max) throws(SystemCallError) -> [UInt8] {
        let fd = try systemCall("open(\(path))") { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        return try read(fd: fd, limit: limit, name: path)
    }

    /// Everything left to read from `fd` (up to about `limit` bytes); `name` names it in the error.
    public static func read(fd: Int32, limit: Int = .max, name: String = "descriptor") throws(SystemCallError) -> [UInt8] {
        let outcome = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { chunk -> Result<[UInt8], SystemCallError> in
            var result = [UInt8]()
            while result.count < limit {
                let count: Int
                do throws(SystemCallError) {
                    count = try systemCall("read(\(name))") { Glibc.read(fd, chunk.baseAddress, chunk.count) }
                } catch {
                    return .failure(error)
                }
                if count == 0 { break }
                result.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[0..<count]))
            }
            return .success(result)
        }
        return try outcome.get()
    }

    /// The whole content of a regular file that devctl keeps, or nil when there is none (nor a
    /// folder to hold it). Opened
    /// without following a symbolic link and without blocking, so neither a planted link nor a
    /// FIFO can aim or stall the read: both are errors, as is every failure but "no such file".
    public static func readRegularFile(_ path: String, limit: Int = 1 << 26) throws(SystemCallError) -> [UInt8]? {
        let fd: Int32
        do {
            fd = try systemCall("open(\(path))") { open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK) }
        } catch where error.errno.rawValue == ENOENT || error.errno.rawValue == ENOTDIR {
            return nil
        }
        defer { close(fd) }
        var info = stat()
        try systemCall("fstat(\(path))") { fstat(fd, &info) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw SystemCallError("open(\(path))", Errno(rawValue: EINVAL)) }
        return try read(fd: fd, limit: limit, name: path)
    }

    /// The whole content of a file, or nil when it cannot be opened or read (e.g. the process
    /// behind a `/proc` path has vanished).
    public static func readBytes(_ path: String, limit: Int = 1 << 26) -> [UInt8]? {
        try? read(path, limit: limit)
    }

    /// Everything left to read from `fd`, or nil when reading fails.
    public static func readBytes(fd: Int32, limit: Int = 1 << 26) -> [UInt8]? {
        try? read(fd: fd, limit: limit)
    }

    /// Reads the whole of a small file (a `/proc/PID/stat` line) from `fd` into a buffer on the
    /// stack and hands it to `body`, so the thousands of reads of a scan allocate nothing. Nil when
    /// the process behind a `/proc` file exited under the read (`ESRCH`); any other failure, a
    /// file larger than `capacity` included, is thrown with `name` in it.
    public static func withContents<R>(of fd: Int32, capacity: Int = 4096, name: @autoclosure () -> String,
                                       _ body: (UnsafeBufferPointer<UInt8>) -> R) throws(SystemCallError) -> R? {
        let outcome = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer -> Result<R?, SystemCallError> in
            var count = 0
            while true {
                guard count < buffer.count else { return .failure(SystemCallError("read(\(name()))", Errno(rawValue: EFBIG))) }
                let got: Int
                do throws(SystemCallError) {
                    got = try systemCall("read(\(name()))") { Glibc.read(fd, buffer.baseAddress! + count, buffer.count - count) }
                } catch {
                    return error.meansGone ? .success(nil) : .failure(error)
                }
                if got == 0 { break }
                count += got
            }
            return .success(body(UnsafeBufferPointer(rebasing: buffer[0..<count])))
        }
        return try outcome.get()
    }

    /// The file's content as UTF-8 text (invalid bytes repaired), or nil.
    public static func readText(_ path: String) -> String? {
        readBytes(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The target of a symbolic link, or nil. The buffer is on the stack: the port owner search
    /// reads every /proc/PID/fd/* link.
    public static func readLink(_ path: String) -> String? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(PATH_MAX)) { buffer -> String? in
            let count = readlink(path, buffer.baseAddress!, buffer.count)
            guard count >= 0 else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<count]), as: UTF8.self)
        }
    }

    /// The names in a directory, without `.` and `..`; empty when it cannot be read (e.g. the
    /// process behind a `/proc/PID/fd` has vanished, or is another user's).
    public static func directoryEntries(_ path: String) -> [String] {
        entries(path).map(\.name)
    }

    /// The folders in a directory, told apart by the type `readdir` reports rather than by a stat
    /// each (a cgroup folder holds a score of files beside its few children).
    public static func subdirectories(_ path: String) -> [String] {
        entries(path).filter { $0.type == UInt8(DT_DIR) || ($0.type == UInt8(DT_UNKNOWN) && isDirectory(path + "/" + $0.name)) }
            .map(\.name)
    }

    private static func entries(_ path: String) -> [(name: String, type: UInt8)] {
        guard let stream = opendir(path) else { return [] }
        defer { closedir(stream) }
        var found: [(name: String, type: UInt8)] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != ".", name != ".." { found.append((name, entry.pointee.d_type)) }
        }
        return found
    }

    /// `path` with every symbolic link, `.` and `..` resolved (`realpath(3)`), or nil when it
    /// does not exist.
    public static func canonicalPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether something exists at `path` (a symbolic link counts by its target).
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
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

    /// Removes a file; one that does not exist is fine.
    public static func removeFile(_ path: String) throws(SystemCallError) {
        do {
            try systemCall("unlink(\(path))") { unlink(path) }
        } catch where error.errno.rawValue == ENOENT {
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
