import DevctlProcesses
import DevctlSystem
import DevctlText
#if canImport(Glibc)
import Glibc
#endif

/// Whether `.pids/` may be believed and written to. Like ssh with its keys, devctl refuses tracking
/// state that someone else could have written: a forged entry could aim its signals, and a
/// symbolic link planted in a folder others can write could aim its writes. The folder, its `logs/`
/// and each state file must belong to the current user (or root) and be writable by no one else;
/// the folders must be folders and the state files plain files, links neither.
public enum TrackingTrust {
    /// Why `.pids/` is not trusted, and how to fix it.
    public struct Problem: Sendable, Equatable {
        public var path: String
        /// "is writable by others (mode 0777)".
        public var reason: String
        /// The command that fixes it: "chmod 755 /x/.pids".
        public var fix: String
        /// Whether the user may choose to trust it anyway (`stop --force`); never for anything but a
        /// folder where a folder must be, nor for a lock that is not a plain file: no flag can make
        /// those usable, since devctl follows no link and opens nothing but plain files there.
        public var isOverridable: Bool

        /// "'/x/.pids' is writable by others (mode 0777); refusing to trust it — fix with 'chmod 755 /x/.pids' or pass --force".
        public func message(suggestingForce: Bool) -> String {
            let force = suggestingForce && isOverridable ? " or pass --force" : ""
            return "'\(path)' \(reason); refusing to trust it — fix with '\(fix)'\(force)"
        }
    }

    /// The state files checked besides the folders. Logs of single services are not: a log that is
    /// not a plain file fails only its own service's start (and `logs`), not every command; the
    /// `logs/` folder that holds them is checked.
    static func stateFiles(of store: TrackingStore) -> [String] {
        [store.identityFile, store.pidsFile, store.servicesFile, store.groupsFile, store.lockFile, store.eventsFile]
    }

    /// The first reason not to trust `store`'s folder, or nil. A folder that does not exist yet is
    /// fine: devctl creates it, mode 0755.
    public static func check(_ store: TrackingStore, user: uid_t = geteuid()) -> Problem? {
        if let problem = unusableFolder(store) { return problem }
        for folder in [store.directory, store.logsDirectory] {
            var info = stat()
            guard lstat(folder, &info) == 0 else { continue }
            if let problem = ownershipOrMode(folder, info, user: user) { return problem }
        }
        for file in stateFiles(of: store) {
            var info = stat()
            guard lstat(file, &info) == 0 else { continue }
            // A lock devctl cannot open cannot be overridden: it would only fail later.
            let isOverridable = file != store.lockFile
            switch info.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFLNK:
                return Problem(path: file, reason: "is a symbolic link", fix: "rm \(file)", isOverridable: isOverridable)
            default:
                return Problem(path: file, reason: "is not a regular file", fix: "rm -r \(file)", isOverridable: isOverridable)
            }
            if let problem = ownershipOrMode(file, info, user: user) { return problem }
        }
        return nil
    }

    /// A link or a file where `.pids/` or `.pids/logs/` belongs: no command can use that folder,
    /// whatever `--force` says, and even `logs`, which trusts what it reads, must not read through
    /// it. Nil when both are folders or do not exist yet.
    public static func unusableFolder(_ store: TrackingStore) -> Problem? {
        for folder in [store.directory, store.logsDirectory] {
            var info = stat()
            guard lstat(folder, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: continue
            case S_IFLNK:
                return Problem(path: folder, reason: "is a symbolic link", fix: "rm \(folder)", isOverridable: false)
            default:
                return Problem(path: folder, reason: "is a file, not a folder", fix: "mv \(folder) \(folder).old",
                               isOverridable: false)
            }
        }
        return nil
    }

    private static func ownershipOrMode(_ path: String, _ info: stat, user: uid_t) -> Problem? {
        if info.st_uid != user && info.st_uid != 0 {
            return Problem(path: path, reason: "is owned by another user (uid \(info.st_uid))",
                           fix: "chown \(userName(user)) \(path)", isOverridable: true)
        }
        let mode = info.st_mode & 0o7777
        guard mode & 0o022 != 0 else { return nil }
        let who = switch (mode & 0o020 != 0, mode & 0o002 != 0) {
        case (true, true): "its group and others"
        case (true, false): "its group"
        default: "others"
        }
        let safe = String(mode & ~0o022 & 0o777, radix: 8)
        return Problem(path: path, reason: "is writable by \(who) (mode \(octal(mode)))", fix: "chmod \(safe) \(path)",
                       isOverridable: true)
    }

    private static func octal(_ mode: mode_t) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private static func userName(_ uid: uid_t) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "\(uid)" }
        return String(cString: name)
    }
}
