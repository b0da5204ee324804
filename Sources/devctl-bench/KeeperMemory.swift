#if canImport(Glibc)
import Glibc
#endif
import DevctlProcesses
import DevctlSystem

/// The keepers of a running project and what each costs in private memory (SPEC §7: at most
/// 1 MiB each). Found from what the kernel says, not from devctl's keeper records: each leader
/// PID in `.pids/services.pids` must be one of the benchmark's processes, and its parent must be
/// a `devctl-keeper` whose specification lies in this project's `.pids/keepers/`.
struct KeeperMemory {
    /// One keeper and its `/proc/PID/smaps_rollup` figures, in KiB.
    struct Keeper {
        var identity: ProcessIdentity
        var privateClean: Int
        var privateDirty: Int
        /// Its proportional share of every page it maps, the shared ones included: for the note.
        var proportional: Int

        /// What SPEC §7 counts: the pages no other process maps. The keeper binary's pages count
        /// only when no other process maps them: among many keepers they are shared, and show
        /// in `proportional` only.
        var kibibytes: Int { privateClean + privateDirty }
    }

    /// The keeper of every service `.pids/services.pids` of `root` names, measured now.
    /// `services` are the benchmark's live processes, which every leader must be among.
    static func measure(root: String, services: [ProcessEntry]) throws(BenchError) -> [Keeper] {
        let pidsFile = root + "/.pids/services.pids"
        guard let text = FileSystem.readText(pidsFile) else { throw BenchError("cannot read '\(pidsFile)'") }
        let leaders = text.split(whereSeparator: \.isWhitespace)
        let ours = Set(services.map(\.pid))
        // The keeper binary was most likely just linked: until written back, its page-cache pages
        // are dirty, and smaps counts those a keeper alone maps in its Private_Dirty. The sum is the
        // same either way, but written back first, Private_Clean is the binary's pages and
        // Private_Dirty the keeper's own writes, as the note of the lone keeper's row says.
        sync()
        var keepers = [Keeper]()
        for field in leaders {
            guard let leader = Int32(field), ours.contains(leader) else {
                throw BenchError("'\(pidsFile)' names '\(field)', which is none of the benchmark's running services")
            }
            let keeper = try Self.keeper(of: leader, specFolder: root + "/.pids/keepers/")
            keepers.append(try Self.read(keeper))
        }
        guard Set(keepers.map(\.identity)).count == keepers.count else {
            throw BenchError("the \(keepers.count) services of '\(root)' do not have one keeper each")
        }
        return keepers
    }

    /// The parent of `leader`, checked to be a `devctl-keeper` started for this project.
    private static func keeper(of leader: Int32, specFolder: String) throws(BenchError) -> ProcessIdentity {
        let parent: ProcessEntry?
        do {
            parent = try ProcessStat.read(pid: leader).flatMap { stat throws(SystemCallError) in
                stat.isGone ? nil : try ProcessSnapshot.readEntry(pid: stat.ppid)
            }
        } catch {
            throw BenchError("cannot read the parent of the service leader \(leader): \(error)")
        }
        guard let parent, !parent.isGone else { throw BenchError("the service leader \(leader) or its parent is gone") }
        let arguments = parent.arguments
        guard let program = arguments.first, program == "devctl-keeper" || program.hasSuffix("/devctl-keeper"),
              arguments.count == 2, arguments[1].hasPrefix(specFolder) else {
            throw BenchError("the parent of the service leader \(leader) is not its devctl-keeper but "
                             + "\(parent.pid) '\(parent.commandLine)'")
        }
        return parent.identity
    }

    /// The figures of `/proc/PID/smaps_rollup`, read while the keeper is still the same process.
    private static func read(_ keeper: ProcessIdentity) throws(BenchError) -> Keeper {
        let path = "/proc/\(keeper.pid)/smaps_rollup"
        guard let text = FileSystem.readText(path) else { throw BenchError("cannot read '\(path)'") }
        var fields = [Substring: Int]()
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 3, parts[0].hasSuffix(":"), parts[2] == "kB", let value = Int(parts[1]) else { continue }
            fields[parts[0].dropLast()] = value
        }
        guard let clean = fields["Private_Clean"], let dirty = fields["Private_Dirty"], let pss = fields["Pss"] else {
            throw BenchError("'\(path)' has no Private_Clean, Private_Dirty or Pss line")
        }
        guard (try? ProcessSnapshot.isAlive(keeper)) == true else {
            throw BenchError("the keeper \(keeper) ended while its memory was read")
        }
        return Keeper(identity: keeper, privateClean: clean, privateDirty: dirty, proportional: pss)
    }
}
