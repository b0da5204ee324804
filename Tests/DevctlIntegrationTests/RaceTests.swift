#if canImport(Glibc)
import Glibc
#endif
import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation
import Testing

/// Several devctl invocations at once: the lock serialises every command that changes the tracking
/// state, `status` never waits for it, and no reader ever sees a torn file.
@Suite struct RaceTests {
    /// `NAME:PID` of the identity file: what the next devctl will believe.
    static func identityEntries(_ project: TestProject) -> [String: Int32] {
        var result = [String: Int32]()
        for line in (project.read(".pids/services.pids.identity") ?? "").split(separator: "\n") {
            let parts = line.split(separator: ":")
            if parts.count == 4, let pid = Int32(parts[1]) { result[String(parts[0])] = pid }
        }
        return result
    }

    /// A process that holds `.pids/lock` for `seconds`, describing itself as a devctl would; it
    /// writes the wall-clock time to `releasedFile` (if given) just before it lets go.
    static func lockHolder(_ project: TestProject, seconds: Double, releasedFile: String? = nil,
                           sourceLocation: SourceLocation = #_sourceLocation) throws -> TestProcess {
        // Mode 0755 whatever the umask: devctl refuses a .pids others can write.
        try? FileManager.default.createDirectory(atPath: project.root + "/.pids", withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o755])
        let script = """
        import fcntl, os, sys, time
        fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.write(fd, b"%d devctl stop api\\n" % os.getpid())
        time.sleep(float(sys.argv[2]))
        if len(sys.argv) > 3:
            with open(sys.argv[3], "w") as f:
                f.write("%.6f\\n" % time.time())
        """
        let holder = TestProcess(["python3", "-c", script, project.root + "/.pids/lock", "\(seconds)"] + (releasedFile.map { [$0] } ?? []),
                                 environment: project.environment)
        try #require(TestProcesses.waitUntil(timeout: 30) { project.read(".pids/lock")?.contains("devctl stop api") == true },
                     "the holder never took the lock", sourceLocation: sourceLocation)
        return holder
    }

    @Test func twoStartsAtTheSameInstantStartEachServiceOnce() throws {
        let project = TestProject(Fixtures.sleepers(8))
        defer { project.cleanUp() }
        let first = DevctlRunner.launch(["start"], directory: project.root, environment: project.environment)
        let second = DevctlRunner.launch(["start"], directory: project.root, environment: project.environment)
        let results = [DevctlRunner.finish(first), DevctlRunner.finish(second)]
        for result in results { #expect(result.exitCode == 0, "\(result)") }
        let spawned = results.map { $0.stdout.components(separatedBy: " spawned (pid ").count - 1 }.reduce(0, +)
        #expect(spawned == 8, "\(results)")
        let leaders = project.liveLeaders
        #expect(leaders.count == 8)
        for (name, pids) in leaders { #expect(pids.count == 1, "\(name) runs \(pids.count) times") }
        #expect(project.trackedPIDs == leaders.compactMapValues(\.first))
    }

    @Test(arguments: ["start", "stop"])
    func startAndStopRacingLeaveConsistentFilesAndNoSurvivor(first: String) throws {
        let project = TestProject(Fixtures.sleepers(6))
        defer { project.cleanUp() }
        let second = first == "start" ? "stop" : "start"
        let a = DevctlRunner.launch([first], directory: project.root, environment: project.environment)
        let b = DevctlRunner.launch([second], directory: project.root, environment: project.environment)
        let results = [DevctlRunner.finish(a), DevctlRunner.finish(b)]
        for result in results { #expect(result.exitCode == 0, "\(result)") }
        // Whichever won, the files and the processes agree: every tracked leader runs, every
        // running leader is tracked, and no service runs twice.
        let leaders = project.liveLeaders
        for (name, pids) in leaders { #expect(pids.count == 1, "\(name) runs \(pids.count) times") }
        #expect(Self.identityEntries(project) == leaders.compactMapValues(\.first), "\(results)")
        #expect(project.trackedPIDs == leaders.compactMapValues(\.first))
        let stop = project.devctl("stop")
        #expect(stop.exitCode == 0, "\(stop)")
        #expect(project.markedProcesses.isEmpty)
    }

    @Test(arguments: ["start", "stop"])
    func mutatingCommandGivesUpNamingTheLockHolder(command: String) throws {
        let project = TestProject(Fixtures.sleepers(2))
        defer { project.cleanUp() }
        let holder = try Self.lockHolder(project, seconds: 60)
        defer { holder.stop() }
        project.extraEnvironment["DEVCTL_LOCK_TIMEOUT"] = "0.3"
        let result = project.devctl(command)
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stderr == "error: another devctl (pid \(holder.pid)) is running: devctl stop api\n", "\(result)")
        #expect(result.seconds < 4, "DEVCTL_LOCK_TIMEOUT=0.3 was not honoured")
        #expect(project.liveLeaders.isEmpty, "nothing may start without the lock")
        #expect(project.read(".pids/services.pids") == nil)
        #expect(project.read(".pids/lock")?.contains("devctl stop api") == true, "the holder's line was overwritten")
    }

    @Test func mutatingCommandWaitsForALockReleasedInTime() throws {
        // Each service notes when it was spawned: that must be after the holder let go.
        let project = TestProject(#"{"services": [\#((1...2).map { #"{"name": "s\#($0)", "command": "date +%s.%N > started-s\#($0); exec sleep 300"}"# }.joined(separator: ", "))]}"#)
        defer { project.cleanUp() }
        let released = project.root + "/lock.released"
        let holder = try Self.lockHolder(project, seconds: 1, releasedFile: released)
        defer { holder.stop() }
        let result = project.devctl("start")
        #expect(result.exitCode == 0, "\(result)")
        #expect(project.liveLeaders.count == 2)
        let releasedAt = try #require(project.read("lock.released").flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) },
                                      "the holder never let go: \(result)")
        for name in ["s1", "s2"] {
            try #require(TestProcesses.waitUntil { project.read("started-\(name)")?.hasSuffix("\n") == true }, "\(name) never ran")
            let startedAt = try #require(project.read("started-\(name)").flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
            #expect(startedAt > releasedAt, "\(name) started at \(startedAt), before the lock was released at \(releasedAt): \(result)")
        }
    }

    @Test func statusNeverWaitsForTheLock() throws {
        let project = TestProject(Fixtures.sleepers(2))
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let holder = try Self.lockHolder(project, seconds: 120)
        defer { holder.stop() }
        // A status that waited would take the whole minute: the bound below leaves a loaded
        // machine plenty of room and still cannot be met by waiting.
        project.extraEnvironment["DEVCTL_LOCK_TIMEOUT"] = "60"
        let result = project.devctl("status")
        #expect(result.exitCode == 0, "\(result)")
        #expect(!result.stderr.contains("another devctl"))
        #expect(result.seconds < 30, "status waited for the lock (DEVCTL_LOCK_TIMEOUT=60)")
    }

    @Test func readersNeverSeeHalfWrittenTrackingFiles() throws {
        let project = TestProject(Fixtures.sleepers(12))
        defer { project.cleanUp() }
        let done = project.root + "/reader.done"
        let report = project.root + "/reader.report"
        // A reader in a loop, like a legacy script polling the files: every file it reads must be
        // whole, every line in its format.
        let script = #"""
        import os, re, sys
        folder, done, report = sys.argv[1:4]
        formats = {"services.pids.identity": r"[A-Za-z0-9_-]+:\d+:\d+:\d+", "services.pids": r"\d+",
                   "services.pids.services": r"[A-Za-z0-9_-]+:\d+", "services.pids.groups": r"\d+:[A-Za-z0-9_-]+:\d+"}
        reads, torn = 0, []
        while not os.path.exists(done):
            for name, line in formats.items():
                try:
                    with open(os.path.join(folder, name), "rb") as f:
                        data = f.read().decode()
                except FileNotFoundError:
                    continue
                reads += 1
                lines = data.split("\n")
                if not data or lines[-1] != "" or not (all(re.fullmatch(line, l) for l in lines[:-1])):
                    torn.append((name, data))
        with open(report, "w") as f:
            f.write("reads=%d torn=%d %r\n" % (reads, len(torn), torn[:2]))
        """#
        let reader = TestProcess(["python3", "-c", script, project.root + "/.pids", done, report],
                                 environment: project.environment)
        defer { reader.stop() }
        for _ in 0..<3 {
            let start = project.devctl("start")
            #expect(start.exitCode == 0, "\(start)")
            let status = project.devctl("status", "--json")
            #expect(status.exitCode == 0, "\(status)")
            #expect((try? JSONSerialization.jsonObject(with: Data(status.stdout.utf8))) != nil, "\(status)")
            let stop = project.devctl("stop")
            #expect(stop.exitCode == 0, "\(stop)")
        }
        #expect(FileManager.default.createFile(atPath: done, contents: nil))
        // The file exists a moment before its line is written: wait for the whole line.
        #expect(TestProcesses.waitUntil(timeout: 30) { project.read("reader.report")?.hasSuffix("\n") == true })
        let summary = project.read("reader.report") ?? ""
        #expect(summary.contains(" torn=0 "), "\(summary)")
        #expect(!summary.hasPrefix("reads=0 "), "the reader never saw a file: \(summary)")
    }
}
