import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension KernelProcessEntry {
    /// The working directory of `pid` (`/proc/PID/cwd`), or nil when it cannot be read.
    public static func workingDirectory(of pid: pid_t) -> String? {
        linkTarget("/proc/\(pid)/cwd")
    }

    /// The open descriptors of `pid` and what each names (`/proc/PID/fd`): a path,
    /// `socket:[INODE]`, `pipe:[INODE]`, … Nil when the folder or any link in it cannot be read,
    /// so that a descriptor is never silently left out.
    public static func descriptors(of pid: pid_t) -> [Int32: String]? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { return nil }
        var result = [Int32: String]()
        for name in names {
            guard let descriptor = Int32(name), let target = linkTarget("/proc/\(pid)/fd/\(name)") else { return nil }
            result[descriptor] = target
        }
        return result
    }

    /// What the symbolic link at `path` holds, unresolved.
    static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
