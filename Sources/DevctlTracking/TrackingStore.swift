import DevctlProcesses
import DevctlSystem
import DevctlText
#if canImport(Glibc)
import Glibc
#endif

/// The `.pids/` folder: the three legacy files existing scripts read (`services.pids`,
/// `services.pids.services`, `services.pids.groups`) plus `services.pids.identity`, which adds each
/// leader's start time and is the source of truth. Every write replaces all four atomically, the
/// identity file first, under the project lock held by the caller.
public struct TrackingStore: Sendable {
    public let directory: String

    public init(root: String) { directory = root + "/.pids" }

    public var identityFile: String { directory + "/services.pids.identity" }
    public var pidsFile: String { directory + "/services.pids" }
    public var servicesFile: String { directory + "/services.pids.services" }
    public var groupsFile: String { directory + "/services.pids.groups" }
    public var lockFile: String { directory + "/lock" }
    public var eventsFile: String { directory + "/events.log" }
    public var logsDirectory: String { directory + "/logs" }

    public func logFile(for service: String) -> String { "\(logsDirectory)/\(service).log" }

    /// What was read, and every line that could not be used, so the caller can say what it found.
    public struct Snapshot: Sendable, Equatable {
        public var entries: [TrackedService] = []
        public var problems: [String] = []
        /// The keeper records of the entries' services, by name (read with the entries).
        public var records: [String: SupervisionRecord] = [:]

        public init(entries: [TrackedService] = [], problems: [String] = []) {
            self.entries = entries
            self.problems = problems
        }
    }

    /// Creates `.pids/` and `.pids/logs/` if needed; a link where either belongs is an error.
    public func prepare() throws(SystemCallError) {
        try FileSystem.ensureDirectory(directory)
        try FileSystem.ensureDirectory(logsDirectory)
    }

    /// Reads the entries: from the identity file when present, else from the legacy groups or
    /// services file (without identity). Garbage lines are reported and skipped, never fatal; a
    /// file that exists but cannot be read is thrown, since no entries would mean "nothing runs",
    /// as is a link, a FIFO or anything else that is not a regular file (never followed or waited on).
    ///
    /// Unless told not to, an entry whose keeper has since restarted the service names the new
    /// leader: a keeper records a restart in its own record at once, but brings these files up to
    /// date only when the project lock is free.
    public func read(overlayingKeepers: Bool = true) throws(RegularFileError) -> Snapshot {
        var snapshot = try readFiles()
        guard overlayingKeepers else { return snapshot }
        for entry in snapshot.entries { snapshot.records[entry.name] = supervision(of: entry.name) }
        snapshot.entries = snapshot.entries.map { Self.newestLeader($0, record: snapshot.records[$0.name]) }
        return snapshot
    }

    /// The entry, or the leader its keeper's record names when that one started later.
    private static func newestLeader(_ entry: TrackedService, record: SupervisionRecord?) -> TrackedService {
        guard let record, let leader = record.leader, leader.pid != entry.pid,
              let start = entry.startTime, leader.startTime > start else { return entry }
        return TrackedService(name: entry.name, pid: leader.pid, pgid: leader.pid, startTime: leader.startTime)
    }

    private func readFiles() throws(RegularFileError) -> Snapshot {
        if let text = try Self.text(identityFile) {
            return Self.parse(text, file: "services.pids.identity", fields: ["name", "pid", "pgid", "start"])
        }
        if let text = try Self.text(groupsFile) {
            return Self.parse(text, file: "services.pids.groups", fields: ["pgid", "name", "pid"])
        }
        if let text = try Self.text(servicesFile) {
            return Self.parse(text, file: "services.pids.services", fields: ["name", "pid"])
        }
        return Snapshot()
    }

    private static func text(_ path: String) throws(RegularFileError) -> String? {
        try FileSystem.readRegularFile(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `read()`, unless the folder fails `TrackingTrust`: then no entries and the reason as the only
    /// problem, so a command that does not take the lock (`status`) falls back to what it can prove
    /// from `/proc` instead of believing state someone else may have written.
    public func readTrusted() throws(RegularFileError) -> Snapshot {
        guard let problem = TrackingTrust.check(self) else { return try read() }
        return Snapshot(entries: [], problems: [problem.message(suggestingForce: false)])
    }

    /// Replaces the tracking files with `entries`; an empty list removes them. The identity file is
    /// written first and removed last, so a reader (or a crash between two files) never finds the
    /// legacy files, which carry no identity, standing in for a missing identity file.
    public func write(_ entries: [TrackedService]) throws(SystemCallError) {
        try write(Contents(entries))
    }

    /// Replaces the tracking files with `contents`, already rendered: a start records every leader
    /// the moment it exists, one write per spawn, and rendering every line again for each of them
    /// made a start of N services cost N² in formatting alone.
    ///
    /// With `keepingSpares` (a start writing once per spawn), each file is written beside itself
    /// and swapped in with `renameat2(RENAME_EXCHANGE)`: the old content stays in the spare file
    /// for the next write instead of being deleted. A plain replace frees an inode per file and
    /// write, and ext4 skips recently freed inodes when it allocates, so thousands of writes made
    /// each new file slower to create (a start of 2,000 services spent 13 s in the kernel), and a
    /// rename over an existing file makes ext4 flush the new one (its auto_da_alloc), a disk wait
    /// per write. The caller removes the spares with `removeSpares()` when it is done.
    public func write(_ contents: Contents, keepingSpares: Bool = false) throws(SystemCallError) {
        if !keepingSpares { removeStaleTemporaries() }
        if contents.entries.isEmpty {
            for file in [pidsFile, servicesFile, groupsFile, identityFile] { unlink(file) }
            return
        }
        for (file, bytes) in zip(files, contents.files) {
            if keepingSpares {
                try FileSystem.writeBySwapping(file, bytes, spare: Self.spare(of: file))
            } else {
                try FileSystem.writeAtomically(file, bytes)
            }
        }
    }

    /// Removes the spare files `write(_:keepingSpares:)` left beside the tracking files.
    public func removeSpares() {
        for file in files { unlink(Self.spare(of: file)) }
    }

    private static func spare(of file: String) -> String { "\(file).tmp.\(getpid())" }

    /// The four files in the order they are written: the identity file first.
    private var files: [String] { [identityFile, pidsFile, servicesFile, groupsFile] }

    /// The bytes of the four files for a list of entries, in file order, kept up to date one entry
    /// at a time: inserting or removing an entry renders only its own lines.
    public struct Contents: Sendable, Equatable {
        public private(set) var entries: [TrackedService]
        /// Per file (identity, pids, services, groups): its bytes.
        fileprivate private(set) var files: [[UInt8]] = [[], [], [], []]
        /// Per file, the length of each entry's line, to find where an entry's line starts.
        private var lengths: [[Int]] = [[], [], [], []]

        public init(_ entries: [TrackedService] = []) {
            self.entries = []
            for entry in entries { insert(entry, at: self.entries.count) }
        }

        /// Puts `entry` at `index` of the file order.
        public mutating func insert(_ entry: TrackedService, at index: Int) {
            entries.insert(entry, at: index)
            for (file, line) in Self.lines(of: entry).enumerated() {
                let offset = index == lengths[file].count ? files[file].count : lengths[file][..<index].reduce(0, +)
                files[file].insert(contentsOf: line, at: offset)
                lengths[file].insert(line.count, at: index)
            }
        }

        /// Takes out the entry at `index` of the file order.
        public mutating func remove(at index: Int) {
            entries.remove(at: index)
            for file in files.indices {
                let offset = lengths[file][..<index].reduce(0, +)
                files[file].removeSubrange(offset..<offset + lengths[file][index])
                lengths[file].remove(at: index)
            }
        }

        /// The entry's line in each file, in file order.
        private static func lines(of entry: TrackedService) -> [[UInt8]] {
            [
                "\(entry.name):\(entry.pid):\(entry.pgid):\(entry.startTime ?? 0)\n",
                "\(entry.pid)\n",
                "\(entry.name):\(entry.pid)\n",
                "\(entry.pgid):\(entry.name):\(entry.pid)\n",
            ].map { Array($0.utf8) }
        }
    }

    /// Finishes a write a killed devctl left half-done: each file is whole (atomic renames), but the
    /// legacy files may still say what the identity file said before. Rewrites them from a
    /// readable identity file when they disagree; called under the lock. Returns whether it did.
    @discardableResult
    public func reconcile() throws(RegularFileError) -> Bool {
        guard let text = try Self.text(identityFile) else { return false }
        let snapshot = Self.parse(text, file: "services.pids.identity", fields: ["name", "pid", "pgid", "start"])
        guard snapshot.problems.isEmpty else { return false }
        let expected = Contents(snapshot.entries)
        var same = true
        for (file, bytes) in zip(files, expected.files) where try FileSystem.readRegularFile(file) != bytes { same = false }
        if same { return false }
        try RegularFileError.catching(try write(snapshot.entries))
        return true
    }

    /// Removes the `services.pids*.tmp.PID` files a devctl killed between writing and renaming left
    /// behind, once that process is gone. Readers never open them; this only keeps the folder tidy.
    func removeStaleTemporaries() {
        for name in FileSystem.directoryEntries(directory) {
            let parts = name.split(separator: ".")
            guard name.hasPrefix("services.pids."), parts.count >= 4, parts[parts.count - 2] == "tmp",
                  let pid = Int32(parts[parts.count - 1]), pid != getpid(),
                  FileSystem.owner(of: "/proc/\(pid)") == nil else { continue }
            unlink(directory + "/" + name)
        }
    }

    static func parse(_ text: String, file: String, fields: [String]) -> Snapshot {
        var snapshot = Snapshot()
        var seen = Set<String>()
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimming(" \t\r")
            if line.isEmpty { continue }
            let parts = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            var values = [String: String]()
            if parts.count == fields.count { for (key, value) in zip(fields, parts) { values[key] = value } }
            guard let name = values["name"], NameRule.isValid(name),
                  let pid = values["pid"].flatMap({ Int32($0) }), pid > 0,
                  let pgid = values["pgid"].map({ Int32($0) }) ?? pid, pgid > 0
            else {
                snapshot.problems.append("\(file) line \(index + 1): cannot read '\(line.prefix(60))', skipped")
                continue
            }
            let start = values["start"].flatMap { UInt64($0) }.flatMap { $0 == 0 ? nil : $0 }
            if values["start"] != nil && start == nil {
                snapshot.problems.append("\(file) line \(index + 1): bad start time in '\(line.prefix(60))', skipped")
                continue
            }
            guard seen.insert(name).inserted else {
                snapshot.problems.append("\(file) line \(index + 1): second entry for '\(name)', skipped")
                continue
            }
            snapshot.entries.append(TrackedService(name: name, pid: pid, pgid: pgid, startTime: start))
        }
        return snapshot
    }
}
