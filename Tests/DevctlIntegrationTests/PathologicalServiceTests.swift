#if canImport(Glibc)
import Glibc
#endif
import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlSystem
import DevctlText
import DevctlTracking
import DevctlTestSupport
import Foundation
import Testing

/// Services that misbehave the way real ones do: hundreds of children, fork bombs, frozen trees,
/// closed output, log floods, children that outlive their parent. Stop must end each one within
/// its stopTimeout plus a margin, and its verification must tell the truth.
@Suite struct PathologicalServiceTests {
    /// Generous: these tests share two cores with the rest of the suite.
    static let margin = 5.0

    @Test func serviceWithFiveHundredChildrenIsStoppedWhole() throws {
        let project = TestProject(shapes: ["swarm": .forks(500)], stopTimeout: 3)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        #expect(TestProcesses.waitUntil(timeout: 60) { project.markedProcesses.count >= 501 }, "only \(project.markedProcesses.count) processes")
        let status = try project.statusJSON()
        #expect(status.1["swarm"]?["processes"] as? Int ?? 0 >= 501, "\(status.0)")
        let (result, json) = try project.stopJSON()
        #expect(result.exitCode == 0, "\(result)")
        #expect(StopReport.service(json, "swarm")?["outcome"] as? String == "graceful")
        #expect(result.seconds < 3 + Self.margin)
        #expect(project.markedProcesses.isEmpty)
    }

    @Test func forkBombIgnoringSIGTERMIsKilledUntilNothingNewAppears() throws {
        // As root RLIMIT_NPROC is not enforced: the bomb's own loop bound keeps it finite there.
        let project = TestProject(shapes: ["bomb": .forkBomb(depth: 2, width: 3)], stopTimeout: 1)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        #expect(TestProcesses.waitUntil(timeout: 30) { project.markedProcesses.count >= 30 })
        let (result, json) = try project.stopJSON()
        #expect(result.exitCode == 0, "\(result)")
        #expect(StopReport.service(json, "bomb")?["outcome"] as? String == "forced")
        #expect(result.seconds < 1 + Self.margin)
        #expect((json["stragglers"] as? [Any])?.isEmpty == true)
        #expect(project.markedProcesses.isEmpty, "survivors: \(project.markedProcesses)")
    }

    @Test func frozenTreeIsThawedAndStoppedGracefully() throws {
        let pidFile = NSTemporaryDirectory() + "devctl-frozen-\(UUID().uuidString)"
        defer { unlink(pidFile) }
        let project = TestProject(shapes: ["tree": .tree, "daemon": .escapes(pidFile: pidFile)], stopTimeout: 5)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        #expect(TestProcesses.waitUntil { FileManager.default.fileExists(atPath: pidFile) && project.markedProcesses.count >= 6 })
        // Every process of the project stopped, one by one, as a debugger or `kill -STOP` would.
        let frozen = project.markedProcesses
        for pid in frozen { kill(pid, SIGSTOP) }
        #expect(TestProcesses.waitUntil { frozen.allSatisfy { KernelProcessEntry(pid: $0)?.state == "T" } })
        let status = try project.statusJSON()
        #expect(status.1["tree"]?["state"] as? String == "paused", "\(status.0)")
        let (result, json) = try project.stopJSON()
        #expect(result.exitCode == 0, "\(result)")
        #expect(StopReport.service(json, "tree")?["outcome"] as? String == "graceful")
        #expect(result.seconds < 5 + Self.margin)
        for pid in frozen { #expect(!KernelProcessEntry.isAlive(pid), "pid \(pid) survived frozen") }
    }

    @Test func serviceThatClosedItsOutputStopsNormally() throws {
        let project = TestProject(shapes: ["mute": .closesStdout])
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let leader = try #require(project.trackedPIDs["mute"])
        let closed = TestProcesses.waitUntil { KernelProcessEntry.descriptors(of: leader).map { $0[1] == nil } ?? false }
        #expect(closed, "the service still has a stdout")
        let status = try project.statusJSON()
        #expect(status.1["mute"]?["state"] as? String == "running")
        let result = project.devctl("stop")
        #expect(result.exitCode == 0, "\(result)")
        #expect(project.markedProcesses.isEmpty)
    }

    @Test func fiftyMegabytesOfLogsDoNotSlowStatusOrStop() throws {
        let project = TestProject(shapes: ["flood": .writes(megabytes: 50)])
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        // The keeper rotates at 10 MiB keeping 3 files: 50 MiB of output fill all four to the brim.
        let log = project.root + "/.pids/logs/flood.log"
        func size() -> Int {
            ["", ".1", ".2", ".3"].reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: log + $1)[.size] as? Int) ?? 0) }
        }
        #expect(TestProcesses.waitUntil(timeout: 60) { size() >= 30 << 20 && !FileManager.default.fileExists(atPath: log + ".4") },
                "logs hold \(size()) bytes")
        let status = try project.statusJSON()
        #expect(status.0.exitCode == 0, "\(status.0)")
        #expect(status.0.seconds < Self.margin)
        let result = project.devctl("stop")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.seconds < 3 + Self.margin)
        #expect(project.markedProcesses.isEmpty)
        #expect(size() >= 30 << 20, "stop must keep the logs")
    }

    @Test func childIgnoringSIGTERMAfterItsParentExitedIsKilledAtTheTimeout() throws {
        let project = TestProject(shapes: ["orphaned": .childIgnoresTermParentExits], stopTimeout: 0.3)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        #expect(TestProcesses.waitUntil { project.markedProcesses.count >= 3 })
        let (result, json) = try project.stopJSON()
        #expect(result.exitCode == 0, "\(result)")
        let service = try #require(StopReport.service(json, "orphaned"), "\(result)")
        #expect(service["outcome"] as? String == "forced")
        // The leader is gone after SIGTERM, so nothing proves the group any more: SIGKILL must go
        // to each member at once, not wait a second for a group signal that was never sent
        // (which made this 0.3 s stopTimeout last 1.3 s and more).
        #expect(service["ms"] as? Int ?? .max < 3_000, "\(result)")
        #expect((json["stragglers"] as? [Any])?.isEmpty == true)
        #expect(project.markedProcesses.isEmpty)
    }
}
