#if canImport(Glibc)
import Glibc
#endif

/// Failures the kernel rarely gives but devctl must survive — EPERM on a signal, an unreadable
/// `/proc` — made to happen on demand, so a test can prove that `stop` then fails closed. Only a
/// debug build reads them, from `DEVCTL_FAULTS`: `OPERATION=ERRNO` pairs separated by `;`, where a
/// system call whose description starts with OPERATION fails with ERRNO without being made
/// (`kill(=EPERM;opendir(/proc)=EACCES`). Release builds ignore the variable entirely.
public enum SyscallFaults {
    /// The errno names a fault may use.
    static let names: [String: CInt] = [
        "EPERM": EPERM, "EACCES": EACCES, "EIO": EIO, "ENOMEM": ENOMEM, "EBUSY": EBUSY, "ENOSYS": ENOSYS,
    ]

    #if DEBUG
    @usableFromInline static let faults: [(prefix: String, errno: Errno)] = parse(getenv("DEVCTL_FAULTS").map { String(cString: $0) } ?? "")
    #else
    @usableFromInline static let faults: [(prefix: String, errno: Errno)] = []
    #endif

    /// Parses the `DEVCTL_FAULTS` syntax; pairs that do not parse are ignored.
    static func parse(_ text: String) -> [(prefix: String, errno: Errno)] {
        text.split(separator: ";").compactMap { pair in
            let parts = pair.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count >= 2, let code = names[String(parts[parts.count - 1])] else { return nil }
            return (parts.dropLast().joined(separator: "="), Errno(rawValue: code))
        }
    }

    /// Throws the injected failure for `operation`, if one is configured.
    @inlinable
    public static func check(_ operation: @autoclosure () -> String) throws(SystemCallError) {
        guard !faults.isEmpty else { return }
        let described = operation()
        if let fault = faults.first(where: { described.hasPrefix($0.prefix) }) {
            throw SystemCallError(described, fault.errno)
        }
    }
}
