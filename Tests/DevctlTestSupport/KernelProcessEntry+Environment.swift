import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension KernelProcessEntry {
    /// The environment `pid` was started with (`/proc/PID/environ`); nil when it cannot be read,
    /// as the kernel shows it only to the process's own user. A zombie's is empty. Where a name
    /// appears twice the first wins, as for `getenv`.
    public static func environment(of pid: pid_t) -> [String: String]? {
        guard let bytes = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return nil }
        var result = [String: String]()
        for item in bytes.split(separator: 0) {
            guard let equals = item.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = String(decoding: item[..<equals], as: UTF8.self)
            if result[name] == nil {
                result[name] = String(decoding: item[item.index(after: equals)...], as: UTF8.self)
            }
        }
        return result
    }

    /// The live processes, other than this test process, whose environment holds exactly
    /// `key=value`, sorted: how a test finds everything it started by a marker it gave them,
    /// whatever devctl's tracking files say.
    public static func carrying(_ key: String, _ value: String) -> [pid_t] {
        let needle = Array("\(key)=\(value)".utf8)
        let me = getpid()
        return allPIDs().filter { pid in
            guard pid != me, let bytes = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return bytes.split(separator: 0).contains { $0.elementsEqual(needle) } && isAlive(pid)
        }.sorted()
    }
}
