import DevctlSystem

/// `.pids/cgroups`: the folders under which this project's service cgroups were made, one
/// absolute path a line, so a later devctl — from another terminal, whose own cgroup differs —
/// finds them at once. Losing it loses nothing but speed: the folders are named after the
/// project's marker and can be searched for.
public struct CgroupRecord: Sendable {
    public let path: String

    public init(store: TrackingStore) { path = store.directory + "/cgroups" }

    /// The recorded folders; none when the file does not exist.
    public func read() throws(RegularFileError) -> [String] {
        guard let bytes = try FileSystem.readRegularFile(path) else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init).filter { $0.hasPrefix("/") }
    }

    /// Replaces the record with `folders` (none: removes it). Under the project lock.
    public func write(_ folders: [String]) throws(SystemCallError) {
        if folders.isEmpty {
            try FileSystem.removeFile(path)
            return
        }
        try FileSystem.writeAtomically(path, Array(folders.map { $0 + "\n" }.joined().utf8))
    }
}
