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
/// the state files must be plain files.
public enum TrackingTrust {
    /// Why `.pids/` is not trusted, and how to fix it.
    public struct Problem: Sendable, Equatable {
        public var path: String
        /// "is writable by others (mode 0777)".
        public var reason: String
        /// The command that fixes it: "chmod 755 /x/.pids".
        public var fix: String
        /// Whether the user may choose to trust it anyway (`stop --force`); never for a file where a
        /// folder must be, which no flag can make usable.
        public var isOverridable: Bool

        /// "'/x/.pids' is writable by others (mode 0777); refusing to trust it — fix with 'chmod 755 /x/.pids' or pass --force".
        public func message(suggestingForce: Bool) -> String {
            let force = suggestingForce && isOverridable ? " or pass --force" : ""
            return "'\(path)' \(reason); refusing to trust it — fix with '\(fix)'\(force)"
        }
    }

    /// The state files checked besides the folders; logs of single services are not (a user may
    /// link one to /dev/null), the `logs/` folder that holds them is.
    static func stateFiles(of store: TrackingStore) -> [String] {
        [store.identityFile, store.pidsFile, store.servicesFile, store.groupsFile, store.lockFile, store.eventsFile]
    }

    /// The first reason not to trust `store`'s folder, or nil. A folder that does not exist yet is
    /// fine: devctl creates it, mode 0755.
    public static func check(_ store: TrackingStore, user: uid_t = geteuid()) -> Problem? {
        for folder in [store.directory, store.logsDirectory] {
            var info = stat()
            guard stat(folder, &info) == 0 else { continue }
            if (info.st_mode & S_IFMT) != S_IFDIR {
                return Problem(path: folder, reason: "is a file, not a folder", fix: "mv \(folder) \(folder).old",
                               isOverridable: false)
            }
            if let problem = ownershipOrMode(folder, info, user: user) { return problem }
        }
        for file in stateFiles(of: store) {
            var info = stat()
            guard lstat(file, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFLNK:
                return Problem(path: file, reason: "is a symbolic link", fix: "rm \(file)", isOverridable: true)
            default:
                return Problem(path: file, reason: "is not a regular file", fix: "rm -r \(file)", isOverridable: true)
            }
            if let problem = ownershipOrMode(file, info, user: user) { return problem }
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
