import DevctlTestSupport
import Foundation

/// Removes a cgroup folder a test made or let devctl make, with everything in it: each cgroup
/// below is killed whole (`cgroup.kill` kills only its own members, so nothing else is touched)
/// and removed, deepest first.
enum TestCgroups {
    static func remove(_ folder: String) {
        guard FileManager.default.fileExists(atPath: folder) else { return }
        var isFolder: ObjCBool = false
        let children = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter {
            FileManager.default.fileExists(atPath: folder + "/" + $0, isDirectory: &isFolder) && isFolder.boolValue
        }
        for child in children { remove(folder + "/" + child) }
        try? "1".write(toFile: folder + "/cgroup.kill", atomically: false, encoding: .utf8)
        _ = TestProcesses.waitUntil(timeout: 5) { KernelCgroup.members(ofFolder: folder).isEmpty }
        _ = TestProcesses.waitUntil(timeout: 5) { rmdir(folder) == 0 || errno == ENOENT }
    }
}
