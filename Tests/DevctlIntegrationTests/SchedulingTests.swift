#if canImport(Glibc)
import Glibc
#endif
import DevctlTestSupport
import Foundation
import Testing

/// When `start` spawns each service and when `stop` signals it: per service, the moment its own
/// dependencies (or dependents) allow, never a whole wave at a time — and a start refused for a
/// taken port spawns nothing at all.
@Suite struct SchedulingTests {
    static let listen = Fixtures.path("listen.py")
    static let portAtStart = Fixtures.path("port-at-start.py")
    static let recorder = Fixtures.path("record-stop-order.sh")

    /// The whole line a fixture wrote to `path` (the file exists a moment before its line does).
    static func recordedLine(_ path: String, timeout: Double = 60) -> String? {
        TestProcesses.waitUntil(timeout: timeout) { (try? String(contentsOfFile: path, encoding: .utf8))?.hasSuffix("\n") == true }
        return try? String(contentsOfFile: path, encoding: .utf8)
    }

    /// a listens 3 s after it starts; b is ready at once. c needs only b, so it must be running
    /// long before a is ready; d needs a, so it must not start before a listens. Started in waves
    /// ({a, b}, then {c, d}) c would wait the 3 s for a too.
    @Test func eachServiceIsSpawnedTheMomentItsOwnDependenciesAreReady() throws {
        let port = FreePort.next()
        let cRecord = NSTemporaryDirectory() + "devctl-c-at-start-\(UUID().uuidString)"
        let dRecord = NSTemporaryDirectory() + "devctl-d-at-start-\(UUID().uuidString)"
        defer { unlink(cRecord); unlink(dRecord) }
        let project = TestProject(#"""
        {"services": [
          {"name": "a", "command": ["python3", "\#(Self.listen)", "\#(port)", "3"], "healthcheck": {"tcp": \#(port), "timeout": 60}},
          {"name": "b", "command": ["sleep", "300"], "healthcheck": {"command": "true", "timeout": 60}},
          {"name": "c", "dependsOn": ["b"], "command": ["python3", "\#(Self.portAtStart)", "\#(port)", "\#(cRecord)"]},
          {"name": "d", "dependsOn": ["a"], "command": ["python3", "\#(Self.portAtStart)", "\#(port)", "\#(dRecord)"]}]}
        """#)
        defer { project.cleanUp() }
        let result = project.devctl("start")
        #expect(result.exitCode == 0, "\(result)")

        #expect(Self.recordedLine(cRecord) == "closed\n", "c waited for a, which it does not depend on: \(result)")
        #expect(Self.recordedLine(dRecord) == "open\n", "d started before a, its dependency, listened: \(result)")
        let pids = project.trackedPIDs
        let a = try #require(pids["a"].flatMap(KernelProcessEntry.init(pid:)), "a is not running: \(result)")
        let b = try #require(pids["b"].flatMap(KernelProcessEntry.init(pid:)), "b is not running: \(result)")
        let c = try #require(pids["c"].flatMap(KernelProcessEntry.init(pid:)), "c is not running: \(result)")
        let d = try #require(pids["d"].flatMap(KernelProcessEntry.init(pid:)), "d is not running: \(result)")
        let ticks = Double(KernelProcessEntry.clockTicksPerSecond)
        // a cannot be ready sooner than 3 s after it started; c must not have waited for that.
        #expect(Double(c.startTime) - Double(a.startTime) < 2 * ticks, "a \(a.startTime), b \(b.startTime), c \(c.startTime) (\(Int(ticks))/s)")
        #expect(c.startTime >= b.startTime, "c started before b, its dependency")
        #expect(Double(d.startTime) - Double(a.startTime) >= 3 * ticks - 1, "a \(a.startTime), d \(d.startTime) (\(Int(ticks))/s)")
    }

    /// What record-stop-order.sh wrote: for each service, when it was signalled and when it exited.
    struct StopRecord {
        var signalled = [String: Double]()
        var exited = [String: Double]()
        var lines = [Substring]()

        init(_ path: String) {
            lines = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n")
            for line in lines {
                let parts = line.split(separator: " ").map(String.init)
                guard parts.count == 3, let time = Double(parts[2]) else {
                    Issue.record("unexpected line \(line) in \(lines)")
                    continue
                }
                if parts[1] == "signalled" { signalled[parts[0]] = time } else { exited[parts[0]] = time }
            }
        }
    }

    /// db is signalled as soon as api, its only dependent, is gone — not when slow, which takes
    /// 3 s to exit and is nobody's dependency, is gone too (as stopping in waves would do).
    @Test func dependencyIsSignalledOnceItsOwnDependentsAreGoneWithoutWaitingForUnrelatedServices() throws {
        let order = NSTemporaryDirectory() + "devctl-stop-order-\(UUID().uuidString)"
        defer { unlink(order) }
        let project = TestProject(#"""
        {"stopTimeout": 10, "services": [
          {"name": "db", "command": ["\#(Self.recorder)", "\#(order)", "db"]},
          {"name": "api", "dependsOn": ["db"], "command": ["\#(Self.recorder)", "\#(order)", "api", "0.5"]},
          {"name": "slow", "command": ["\#(Self.recorder)", "\#(order)", "slow", "3"]}]}
        """#)
        defer { project.cleanUp() }
        let start = project.devctl("start")
        #expect(start.exitCode == 0, "\(start)")
        let result = project.devctl("stop")
        #expect(result.exitCode == 0, "\(result)")
        let record = StopRecord(order)
        let lines = record.lines
        #expect(Set(record.exited.keys) == ["db", "api", "slow"], "every service exited on SIGTERM: \(lines)")
        let apiSignalled = try #require(record.signalled["api"], "\(lines)")
        let apiExited = try #require(record.exited["api"], "\(lines)")
        let slowSignalled = try #require(record.signalled["slow"], "\(lines)")
        let slowExited = try #require(record.exited["slow"], "\(lines)")
        let dbSignalled = try #require(record.signalled["db"], "\(lines)")
        #expect(dbSignalled >= apiExited, "db was signalled while api, which depends on it, still ran: \(lines)")
        #expect(dbSignalled < slowExited, "db waited for slow, which does not depend on it: \(lines)")
        #expect(abs(slowSignalled - apiSignalled) < 1, "independent services are signalled together: \(lines)")
        #expect(project.markedProcesses.isEmpty, "\(result)")
    }

    /// One service's port is taken: `start` refuses before spawning anything, so the other,
    /// independent service — declared first — does not run either.
    @Test func portTakenBeforeStartSpawnsNoServiceAtAll() throws {
        let port = FreePort.next()
        let holder = TestProcess(["python3", Self.listen, "\(port)"])
        defer { holder.stop() }
        try #require(TestProcesses.waitUntil(timeout: 60) { KernelPortListeners.processes(on: port).contains(holder.pid) }, "the holder never listened")
        let spawned = NSTemporaryDirectory() + "devctl-spawned-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: spawned, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: spawned) }
        let project = TestProject(#"""
        {"services": [
          {"name": "worker", "command": "touch '\#(spawned)/worker'; exec sleep 300"},
          {"name": "api", "command": "touch '\#(spawned)/api'; exec sleep 301", "healthcheck": {"tcp": \#(port)}}]}
        """#)
        defer { project.cleanUp() }
        let result = project.devctl("start")
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("port \(port) already in use by pid \(holder.pid)"), "\(result)")
        #expect(project.markedProcesses.isEmpty, "a service was spawned: \(result)")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: spawned)) == [], "a service ran: \(result)")
        for file in [".pids/services.pids", ".pids/services.pids.services", ".pids/services.pids.groups"] {
            #expect((project.read(file) ?? "").isEmpty, "\(file): \(project.read(file) ?? "")")
        }
        #expect(holder.isAlive)
    }
}
