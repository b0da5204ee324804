#if canImport(Glibc)
import Glibc
#endif
import CDevctlShims

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

    /// Opens the file devctl keeps at `path` with `flags` (`O_RDONLY`, `O_WRONLY | O_CREAT | O_APPEND`,
    /// …; `O_CLOEXEC` is added), only if it is a regular file: a symbolic link there is never
    /// followed, and a FIFO, device, socket or folder never opened for use — so a planted link
    /// cannot aim a write or a read, and a FIFO cannot stall devctl (holding the lock, deaf to
    /// Ctrl-C) until someone opens its other end. What is there is looked at first, so a FIFO or a
    /// device is not even opened; the open itself does not follow links or block, in case one is
    /// swapped in meanwhile, and fstat has the last word. The descriptor returned blocks as usual.
    public static func openRegularFile(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws(RegularFileError) -> Int32 {
        var info = stat()
        if lstat(path, &info) == 0, let found = RegularFileError.found(info.st_mode) {
            throw .notRegular(path: path, found: found)
        }
        let fd: Int32
        do {
            fd = try systemCall("open(\(path))") { open(path, flags | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, mode) }
        } catch {
            // ELOOP is a link, ENXIO a FIFO nobody reads: both planted after the first look.
            if lstat(path, &info) == 0, let found = RegularFileError.found(info.st_mode) {
                throw .notRegular(path: path, found: found)
            }
            throw .system(error)
        }
        do throws(RegularFileError) {
            try RegularFileError.catching(try systemCall("fstat(\(path))") { fstat(fd, &info) })
            if let found = RegularFileError.found(info.st_mode) { throw .notRegular(path: path, found: found) }
            // Only the open had to be non-blocking; a service handed this descriptor expects none of it.
            let status = fcntl(fd, F_GETFL)
            try RegularFileError.catching(try systemCall("fcntl(\(path), F_SETFL)") { fcntl(fd, F_SETFL, status & ~O_NONBLOCK) })
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// The whole content of a regular file that devctl keeps, or nil when there is none; a link,
    /// a FIFO or anything else at `path` is an error, never followed or waited on
    /// (`openRegularFile`), as is every failure but "no such file".
    public static func readRegularFile(_ path: String, limit: Int = 1 << 26) throws(RegularFileError) -> [UInt8]? {
        let fd: Int32
        do {
            fd = try openRegularFile(path, O_RDONLY)
        } catch where error.isMissing {
            return nil
        }
        defer { close(fd) }
        return try RegularFileError.catching(try read(fd: fd, limit: limit, name: path))
    }

    /// The whole content of a file the kernel serves (`/proc/self/mountinfo`, a cgroup's
    /// `cgroup.events`), or nil when it is not there — the cgroup or process it describes is gone.
    /// Every other failure is thrown.
    public static func readKernelFile(_ path: String) throws(SystemCallError) -> [UInt8]? {
        do {
            return try read(path)
        } catch where error.meansGone || error.errno.rawValue == ENOTDIR || error.errno.rawValue == ENODEV {
            return nil
        }
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
    /// something else is in the way, a symbolic link to a folder included: what devctl keeps in
    /// it must not land somewhere else.
    public static func ensureDirectory(_ path: String) throws(SystemCallError) {
        if mkdir(path, 0o755) == 0 { return }
        let error = Errno.current
        if error.rawValue == EEXIST {
            var info = stat()
            if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { return }
            throw SystemCallError("mkdir(\(path))", Errno(rawValue: ENOTDIR))
        }
        throw SystemCallError("mkdir(\(path))", error)
    }

    /// Writes `bytes` to `path` atomically: to a unique file beside it, then renamed over the target,
    /// so a reader or a crash of devctl sees either the old or the new file, never a torn one. The
    /// rename replaces whatever is at `path` (a planted link included) without following it.
    public static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws(SystemCallError) {
        let temporary = "\(path).tmp.\(getpid())"
        // No other live process has this PID, so whatever has this name was left by a killed writer
        // or planted: removed, never opened, and the new file created exclusively, so that neither
        // a link nor a FIFO slipped into its place can aim or stall the write.
        do {
            try systemCall("unlink(\(temporary))") { unlink(temporary) }
        } catch where error.errno == .noSuchFile {}
        let fd = try systemCall("open(\(temporary))") {
            open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        }
        do {
            try writeAll(fd, bytes, path: temporary)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        // Swapped in, then the old file removed: a rename over an existing file makes ext4 flush
        // the new one (its auto_da_alloc), and a later unlink of it waits for that disk write.
        do {
            if try exchange(temporary, with: path) {
                unlink(temporary)
                return
            }
            try systemCall("rename(\(temporary), \(path))") { rename(temporary, path) }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Swaps the files at `path` and `other` atomically (`renameat2` with `RENAME_EXCHANGE`), so
    /// the old content stays behind under the other name. False where that cannot be done — the
    /// other file does not exist yet, or the file system cannot swap — for the caller to rename
    /// instead; other failures are thrown.
    public static func exchange(_ path: String, with other: String) throws(SystemCallError) -> Bool {
        do {
            try systemCall("renameat2(\(path), \(other), RENAME_EXCHANGE)") { devctl_rename_exchange(path, other) }
            return true
        } catch where [ENOENT, EINVAL, ENOSYS].contains(error.errno.rawValue) {
            return false
        }
    }

    /// Removes a file; one that does not exist is fine.
    public static func removeFile(_ path: String) throws(SystemCallError) {
        do {
            try systemCall("unlink(\(path))") { unlink(path) }
        } catch where error.errno.rawValue == ENOENT {
        }
    }

    /// Appends `bytes` to the regular file at `path` (created if missing; see `openRegularFile`)
    /// with one `write(2)` on an `O_APPEND` descriptor, so concurrent appenders never interleave
    /// inside a line.
    public static func append(_ path: String, _ bytes: [UInt8]) throws(RegularFileError) {
        let fd = try openRegularFile(path, O_WRONLY | O_CREAT | O_APPEND)
        defer { close(fd) }
        try RegularFileError.catching(try writeAll(fd, bytes, path: path))
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

/// Why a file devctl keeps could not be used: a system call failed, or what is at its path is not
/// a regular file — a link, FIFO, device, socket or folder, which devctl never follows, waits on,
/// reads or writes through.
public enum RegularFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// "open(/x/.pids/lock): Permission denied".
    case system(SystemCallError)
    /// `found` says what is there instead: "a symbolic link", "a FIFO".
    case notRegular(path: String, found: String)

    /// "'/x/.pids/logs/api.log' is a FIFO, not a regular file".
    public var description: String {
        switch self {
        case .system(let error): error.description
        case .notRegular(let path, let found): "'\(path)' is \(found), not a regular file"
        }
    }

    /// The value of `body`; a system call in it that fails is thrown as `.system`.
    @discardableResult
    public static func catching<T>(_ body: @autoclosure () throws(SystemCallError) -> T) throws(RegularFileError) -> T {
        do {
            return try body()
        } catch {
            throw .system(error)
        }
    }

    /// Nothing is at the path (nor a folder to hold it).
    public var isMissing: Bool {
        if case .system(let error) = self { error.errno == .noSuchFile || error.errno.rawValue == ENOTDIR } else { false }
    }

    /// What a file of `mode` is, in words, unless it is a regular file.
    static func found(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFLNK: "a symbolic link"
        case S_IFIFO: "a FIFO"
        case S_IFDIR: "a folder"
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFSOCK: "a socket"
        default: "of an unknown kind"
        }
    }
}
