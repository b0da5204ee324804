import CDevctlShims
import DevctlSystem
#if canImport(Glibc)
import Glibc
#endif

/// One cgroup v2 folder and the kernel's interface files in it: who is in it (`cgroup.procs`),
/// whether anything is (`cgroup.events` "populated"), and the atomic operations systemd built on
/// it — kill the whole cgroup (`cgroup.kill`, Linux 5.14), freeze and thaw it (`cgroup.freeze`,
/// 5.2). A folder that vanished reads as empty; every other failure is thrown.
public struct CgroupFolder: Sendable, Hashable, CustomStringConvertible {
    public let path: String

    public init(path: String) { self.path = path }

    public var description: String { path }

    public func child(_ name: String) -> CgroupFolder { CgroupFolder(path: path + "/" + name) }

    /// Whether the folder exists.
    public var exists: Bool { FileSystem.isDirectory(path) }

    /// Creates the folder (and is content when it exists).
    public func create() throws(SystemCallError) {
        try FileSystem.ensureDirectory(path)
    }

    /// The PIDs in this cgroup (not in its children); empty when the folder is gone.
    public func members() throws(SystemCallError) -> [Int32] {
        guard let bytes = try read("cgroup.procs") else { return [] }
        return bytes.split(separator: UInt8(ascii: "\n")).compactMap { Int32(String(decoding: $0, as: UTF8.self)) }
    }

    /// The state `cgroup.events` reports.
    public struct Events: Sendable, Equatable {
        /// Some process is in this cgroup or one below it.
        public var populated: Bool
        /// The cgroup is frozen (every process in it stopped by the freezer).
        public var frozen: Bool

        public init(populated: Bool, frozen: Bool) {
            self.populated = populated
            self.frozen = frozen
        }
    }

    /// Whether systemd delegated this cgroup (`Delegate=yes`), which it marks with the
    /// `trusted.delegate` extended attribute (`user.delegate` for a user's manager).
    public var isDelegated: Bool {
        ["trusted.delegate", "user.delegate"].contains { (name: String) in devctl_xattr_is_one(path, name) == 1 }
    }

    /// `cgroup.events`; nil when the folder is gone.
    public func events() throws(SystemCallError) -> Events? {
        guard let bytes = try read("cgroup.events") else { return nil }
        var events = Events(populated: false, frozen: false)
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            if line == "populated 1" { events.populated = true }
            if line == "frozen 1" { events.frozen = true }
        }
        return events
    }

    /// SIGKILL to every process in the cgroup and below it at once, forking ones included.
    /// Returns false when the kernel has no `cgroup.kill` (before 5.14) or the folder is gone.
    public func kill() throws(SystemCallError) -> Bool {
        try write("cgroup.kill", "1")
    }

    /// Freezes (`true`) or thaws the cgroup; false when the kernel has no freezer here.
    public func freeze(_ frozen: Bool) throws(SystemCallError) -> Bool {
        try write("cgroup.freeze", frozen ? "1" : "0")
    }

    /// Removes the folder; gone already is fine. The kernel refuses while it has members
    /// (`EBUSY`), which is thrown.
    public func remove() throws(SystemCallError) {
        do {
            try systemCall("rmdir(\(path))") { rmdir(path) }
        } catch where error.meansGone {
        }
    }

    /// The names of the cgroups directly below this one.
    public func children() -> [String] {
        FileSystem.subdirectories(path)
    }

    /// Opens the folder (for clone3's CLONE_INTO_CGROUP) and its `cgroup.procs` (for a child
    /// that joins by writing), both close-on-exec.
    public func openForJoining() throws(SystemCallError) -> (folder: Int32, procs: Int32) {
        let folder = try systemCall("open(\(path))") { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        do {
            let procs = try systemCall("open(\(path)/cgroup.procs)") { open(path + "/cgroup.procs", O_WRONLY | O_CLOEXEC) }
            return (folder, procs)
        } catch {
            close(folder)
            throw error
        }
    }

    /// Waits until the cgroup is empty or `deadline` passes, woken by the kernel's change
    /// notification on `cgroup.events` rather than by polling; returns whether it is empty.
    public func waitUntilEmpty(until deadline: ContinuousClock.Instant) throws(SystemCallError) -> Bool {
        let watch = try CgroupEventsWatch(folder: self)
        while true {
            guard try events()?.populated == true else { return true }
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { return false }
            try watch.wait(upTo: remaining)
        }
    }

    private func read(_ file: String) throws(SystemCallError) -> [UInt8]? {
        try FileSystem.readKernelFile(path + "/" + file)
    }

    private func write(_ file: String, _ text: String) throws(SystemCallError) -> Bool {
        let target = path + "/" + file
        let fd: Int32
        do {
            fd = try systemCall("open(\(target))") { open(target, O_WRONLY | O_CLOEXEC) }
        } catch where error.meansGone {
            return false
        }
        defer { close(fd) }
        try FileSystem.writeAll(fd, Array(text.utf8), path: target)
        return true
    }
}

/// An inotify watch on one `cgroup.events`, which the kernel touches whenever "populated" or
/// "frozen" changes.
struct CgroupEventsWatch: ~Copyable {
    private let descriptor: Int32

    init(folder: CgroupFolder) throws(SystemCallError) {
        let fd = try systemCall("inotify_init1") { inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK)) }
        let file = folder.path + "/cgroup.events"
        do {
            try systemCall("inotify_add_watch(\(file))") { inotify_add_watch(fd, file, UInt32(IN_MODIFY)) }
        } catch {
            close(fd)
            throw error
        }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Blocks until the file changes or `duration` passes, then drains the notifications.
    func wait(upTo duration: Duration) throws(SystemCallError) {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        _ = try systemCall("poll(inotify)") { poll(&poller, 1, duration.pollTimeout) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { buffer in
            while Glibc.read(descriptor, buffer.baseAddress, buffer.count) > 0 {}
        }
    }
}
