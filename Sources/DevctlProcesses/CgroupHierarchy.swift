import DevctlSystem
#if canImport(Glibc)
import Glibc
#endif

/// Where the cgroup v2 hierarchy is mounted and which cgroup devctl itself runs in: the facts a
/// decision about containment starts from. Found from `/proc/self/mountinfo` and the `0::` line
/// of `/proc/self/cgroup`, never assumed (`/sys/fs/cgroup` on most machines, elsewhere on hybrid
/// layouts such as `/sys/fs/cgroup/unified`).
public struct CgroupHierarchy: Sendable, Equatable {
    /// The mount point of the cgroup2 file system.
    public var mount: String
    /// devctl's own cgroup, as `/proc/PID/cgroup` names it (`/` for the root).
    public var ownCgroup: String

    public init(mount: String, ownCgroup: String) {
        self.mount = mount
        self.ownCgroup = ownCgroup
    }

    /// The folder of a cgroup path (`/a/b` → `MOUNT/a/b`).
    public func folder(of cgroup: String) -> String {
        cgroup == "/" ? mount : mount + cgroup
    }

    /// The cgroup path of a folder under the mount (`MOUNT/a/b` → `/a/b`).
    public func cgroup(ofFolder folder: String) -> String {
        folder == mount ? "/" : String(folder.dropFirst(mount.count))
    }

    /// Reads this machine's hierarchy; nil when no cgroup2 is mounted or devctl's cgroup is not in
    /// it (a cgroup v1-only machine).
    public static func current() throws(SystemCallError) -> CgroupHierarchy? {
        guard let mountinfo = try FileSystem.readKernelFile("/proc/self/mountinfo"),
              let mount = cgroup2Mount(in: String(decoding: mountinfo, as: UTF8.self)),
              let membership = try FileSystem.readKernelFile("/proc/self/cgroup"),
              let own = unifiedCgroup(in: String(decoding: membership, as: UTF8.self))
        else { return nil }
        return CgroupHierarchy(mount: mount, ownCgroup: own)
    }

    /// The mount point of the first cgroup2 line of a mountinfo text: the fifth field, with the
    /// file system type after the ` - ` separator.
    static func cgroup2Mount(in mountinfo: String) -> String? {
        for line in mountinfo.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let separator = fields.firstIndex(of: "-"), separator + 1 < fields.count,
                  fields[separator + 1] == "cgroup2", fields.count > 4 else { continue }
            return unescapeOctal(String(fields[4]))
        }
        return nil
    }

    /// The path of the `0::` line of a `/proc/PID/cgroup` text.
    static func unifiedCgroup(in text: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix("0::") }.map { String($0.dropFirst(3)) }
    }

    /// mountinfo writes a space in a path as `\040`.
    private static func unescapeOctal(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var bytes = [UInt8]()
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "\\"), utf8.count >= 3,
               let value = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
