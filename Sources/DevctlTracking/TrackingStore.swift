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
    public func read() throws(RegularFileError) -> Snapshot {
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
        removeStaleTemporaries()
        if entries.isEmpty {
            for file in [pidsFile, servicesFile, groupsFile, identityFile] { unlink(file) }
            return
        }
        for (file, bytes) in contents(of: entries) { try FileSystem.writeAtomically(file, bytes) }
    }

    /// Each file's content for `entries`, the identity file first.
    private func contents(of entries: [TrackedService]) -> [(file: String, bytes: [UInt8])] {
        func lines(_ render: (TrackedService) -> String) -> [UInt8] {
            Array(entries.map { render($0) + "\n" }.joined().utf8)
        }
        return [
            (identityFile, lines { "\($0.name):\($0.pid):\($0.pgid):\($0.startTime ?? 0)" }),
            (pidsFile, lines { "\($0.pid)" }),
            (servicesFile, lines { "\($0.name):\($0.pid)" }),
            (groupsFile, lines { "\($0.pgid):\($0.name):\($0.pid)" }),
        ]
    }

    /// Finishes a write a killed devctl left half-done: each file is whole (atomic renames), but the
    /// legacy files may still say what the identity file said before. Rewrites them from a
    /// readable identity file when they disagree; called under the lock. Returns whether it did.
    @discardableResult
    public func reconcile() throws(RegularFileError) -> Bool {
        guard let text = try Self.text(identityFile) else { return false }
        let snapshot = Self.parse(text, file: "services.pids.identity", fields: ["name", "pid", "pgid", "start"])
        guard snapshot.problems.isEmpty else { return false }
        let expected = contents(of: snapshot.entries)
        var same = true
        for (file, bytes) in expected where try FileSystem.readRegularFile(file) != bytes { same = false }
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
