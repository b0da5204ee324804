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

/// `devctl start` and the tracking files, checked through /proc and the files' exact lines.
@Suite struct StartTests {
    static let sleeper = #"{"services": [{"name": "sleeper", "command": ["sleep", "300"]}, {"name": "shell", "command": "sleep 301"}]}"#

    @Test func startsEachServiceAsLeaderOfANewSession() throws {
        let project = TestProject(Self.sleeper)
        defer { project.cleanUp() }
        let result = project.devctl("start")
        #expect(result.exitCode == 0, "\(result)")
        for (name, pid) in project.trackedPIDs {
            let process = try #require(KernelProcessEntry(pid: pid), "\(name) is not running")
            #expect(process.processGroup == pid, "\(name): PGID \(process.processGroup) != PID \(pid)")
            #expect(process.session == pid, "\(name): SID \(process.session) != PID \(pid)")
        }
        #expect(project.trackedPIDs.count == 2)
    }

    @Test func trackingFilesHoldTheLegacyFormats() throws {
        let project = TestProject(Self.sleeper)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let sleeper = try #require(project.trackedPIDs["sleeper"])
        let shell = try #require(project.trackedPIDs["shell"])
        #expect(project.read(".pids/services.pids") == "\(sleeper)\n\(shell)\n")
        #expect(project.read(".pids/services.pids.services") == "sleeper:\(sleeper)\nshell:\(shell)\n")
        #expect(project.read(".pids/services.pids.groups") == "\(sleeper):sleeper:\(sleeper)\n\(shell):shell:\(shell)\n")
        let start = try #require(KernelProcessEntry(pid: sleeper)?.startTime)
        #expect(project.read(".pids/services.pids.identity")?.hasPrefix("sleeper:\(sleeper):\(sleeper):\(start)\n") == true)
    }

    @Test func logCapturesStdoutAndStderrWithAHeaderPerStart() throws {
        let project = TestProject(#"{"services": [{"name": "talker", "command": "echo to-stdout; echo to-stderr >&2; exec sleep 300"}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        TestProcesses.waitUntil { project.read(".pids/logs/talker.log")?.contains("to-stderr") == true }
        let log = try #require(project.read(".pids/logs/talker.log"))
        #expect(log.contains("Z to-stdout\n"))
        #expect(log.contains("Z to-stderr\n"))
        // Every line, the header too, begins with its arrival time.
        let header = try #require(log.split(separator: "\n").first)
        #expect(header.dropFirst(25).hasPrefix("==> devctl start talker"), "\(header)")
    }

    @Test func serviceRunsWithMarkersEnvironmentAndWorkingDirectory() throws {
        let project = TestProject(#"""
        {"project": "envcheck", "services": [{"name": "env-dump", "cwd": "sub", "envFile": ".env",
          "env": {"FROM_ENV": "json", "BOTH": "json-wins"},
          "command": "exec sleep 300"}]}
        """#, files: ["sub/keep": "", ".env": "FROM_FILE=dotenv\nBOTH=file\n"])
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let pid = try #require(project.trackedPIDs["env-dump"])
        let environment = try #require(KernelProcessEntry.environment(of: pid))
        #expect(environment["DEVCTL_SERVICE"] == "env-dump")
        #expect(environment["DEVCTL_PROJECT"] == Project.marker(project: "envcheck", root: project.canonicalRoot))
        #expect(environment["FROM_FILE"] == "dotenv")
        #expect(environment["FROM_ENV"] == "json")
        #expect(environment["BOTH"] == "json-wins")
        #expect(KernelProcessEntry.workingDirectory(of: pid) == project.canonicalRoot + "/sub")
    }

    @Test func serviceInheritsNoDescriptorBeyondStandardOnes() throws {
        let project = TestProject(#"{"services": [{"name": "fds", "command": ["sleep", "300"]}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let pid = try #require(project.trackedPIDs["fds"])
        let descriptors = try #require(KernelProcessEntry.descriptors(of: pid))
        #expect(descriptors.keys.sorted() == [0, 1, 2])
        #expect(descriptors[0] == "/dev/null")
        // Output goes to its keeper, its parent, through one pipe for stdout and stderr.
        #expect(descriptors[1]?.hasPrefix("pipe:[") == true, "\(descriptors)")
        #expect(descriptors[2] == descriptors[1])
        let keeper = try #require(KernelProcessEntry(pid: pid)?.parent)
        #expect(KernelProcessEntry(pid: keeper)?.arguments.first?.hasSuffix("devctl-keeper") == true)
        #expect(KernelProcessEntry.descriptors(of: keeper)?.values.contains(descriptors[1]!) == true)
    }

    @Test func serviceStartsWithEmptySignalMaskEvenWhenDevctlIgnoresSIGINT() throws {
        let project = TestProject(#"{"services": [{"name": "masked", "command": ["sleep", "300"]}]}"#)
        defer { project.cleanUp() }
        // Like nohup or a CI shell: devctl itself starts with SIGINT and SIGHUP ignored.
        let result = DevctlRunner.run(["-c", "trap '' INT HUP; exec \"$0\" start", DevctlRunner.binary],
                                      directory: project.root, environment: project.environment, shell: true)
        #expect(result.exitCode == 0, "\(result)")
        let pid = try #require(project.trackedPIDs["masked"])
        let status = try #require(KernelProcessStatus(pid: pid))
        #expect(status.blockedSignals == 0)
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            #expect(!status.ignores(signal), "signal \(signal) is ignored in the service")
        }
        // Not even glibc's internal 32 and 33, which posix_spawn leaves ignored.
        #expect(status.ignoredSignals == 0, "SigIgn: \(String(status.ignoredSignals, radix: 16))")
    }

    @Test func secondStartLeavesRunningServicesAlone() throws {
        let project = TestProject(Self.sleeper)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let before = project.trackedPIDs
        let again = project.devctl("start")
        #expect(again.exitCode == 0, "\(again)")
        #expect(again.stdout.contains("already running"))
        #expect(project.trackedPIDs == before)
    }

    @Test func deadEntryIsShownDeadThenReplacedByStart() throws {
        let project = TestProject(Self.sleeper)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let old = try #require(project.trackedPIDs["sleeper"])
        kill(old, SIGKILL)
        TestProcesses.waitUntil { !KernelProcessEntry.isAlive(old) }
        let status = project.devctl("status", "--json")
        #expect(status.exitCode == 3)
        #expect(status.stdout.contains(#""name":"sleeper","state":"dead""#), "\(status)")
        let restart = project.devctl("start")
        #expect(restart.exitCode == 0, "\(restart)")
        let new = try #require(project.trackedPIDs["sleeper"])
        #expect(new != old)
        #expect(KernelProcessEntry.isAlive(new))
    }

    @Test func serviceExitingAtOnceIsReportedWithStatusAndLog() {
        let project = TestProject(#"{"services": [{"name": "crasher", "command": "echo 'boom: config missing' >&2; exit 7"}]}"#)
        defer { project.cleanUp() }
        let result = project.devctl("start")
        #expect(result.exitCode == 1)
        #expect(result.stdout.contains("crasher failed: exited with status 7"), "\(result)")
        #expect(result.stdout.contains("boom: config missing"))
    }

    @Test func missingExecutableFailsThatServiceWithTheReason() {
        let project = TestProject(#"{"services": [{"name": "ghost", "command": ["no-such-binary-devctl-test"]}]}"#)
        defer { project.cleanUp() }
        let result = project.devctl("start")
        #expect(result.exitCode == 1)
        #expect(result.stdout.contains("'no-such-binary-devctl-test' not found in PATH"), "\(result)")
    }

    @Test func statusJsonDescribesRunningServices() throws {
        let project = TestProject(Self.sleeper)
        defer { project.cleanUp() }
        let stopped = project.devctl("status")
        #expect(stopped.exitCode == 3)
        #expect(stopped.stdout.contains("stopped"))
        #expect(project.devctl("start").exitCode == 0)
        let result = project.devctl("status", "--json")
        #expect(result.exitCode == 0, "\(result)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let services = try #require(json["services"] as? [[String: Any]])
        #expect(services.map { $0["name"] as? String } == ["sleeper", "shell"])
        let first = try #require(services.first, "\(result)")
        let sleeper = try #require(project.trackedPIDs["sleeper"])
        #expect(first["state"] as? String == "running")
        #expect(first["pid"] as? Int == Int(sleeper))
        #expect(first["pgid"] as? Int == Int(sleeper))
        #expect(first["processes"] as? Int == 1)
        #expect((first["rssBytes"] as? Int ?? 0) > 0)
        #expect(first["command"] as? String == "sleep 300")
        for key in ["uptimeSeconds", "cpuPercent", "health"] { #expect(first.keys.contains(key)) }
        #expect(json["containers"] as? [Any] != nil)
    }

    @Test func healthChecksOfAWaveAllRunAtOnce() throws {
        // Each probe marks its service, and passes only once all eight have been probed: if the
        // waits were queued a few at a time (as on a 2-core machine they once were), the first
        // ones could never pass and would time out.
        let seen = NSTemporaryDirectory() + "devctl-probes-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: seen, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: seen) }
        let check = "touch \(seen)/$DEVCTL_SERVICE; [ $(ls \(seen) | wc -l) -ge 8 ]"
        let services = (1...8).map { #"{"name": "s\#($0)", "command": ["sleep", "300"], "healthcheck": {"command": "\#(check)", "timeout": 20}}"# }
        let project = TestProject(#"{"services": [\#(services.joined(separator: ", "))]}"#)
        defer { project.cleanUp() }
        let result = project.devctl("start")
        #expect(result.exitCode == 0, "\(result)")
        #expect(project.trackedPIDs.count == 8)
    }
}
