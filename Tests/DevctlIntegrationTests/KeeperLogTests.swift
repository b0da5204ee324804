#if canImport(Glibc)
import Glibc
#endif
import DevctlTestSupport
import Foundation
import Testing

/// What keepers write into real services' logs (SPEC §1, §5): every line stamped in UTC, rotation
/// that keeps exactly `logKeep` files and never splits a line, and the `log` health check that
/// reads only the newest run — judged from the files themselves and from what `logs` prints.
@Suite struct KeeperLogTests {
    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init)
    }

    static func logPath(_ project: TestProject, _ name: String) -> String {
        project.root + "/.pids/logs/" + name
    }

    // MARK: the log health check

    @Test func logHealthCheckIsReadyOnlyOnceTheLineIsPrinted() throws {
        let project = TestProject(#"""
        {"services": [{"name": "announcer", "command": "sleep 0.5; echo ready to serve; exec sleep 300",
          "healthcheck": {"log": "ready to serve", "timeout": 10}}]}
        """#)
        defer { project.cleanUp() }
        let start = project.devctl("start")
        #expect(start.exitCode == 0, "\(start)")
        #expect(start.stdout.contains("announcer ready"), "\(start)")
        // Ready was said only after the line was in the log: it is there now, read by the test.
        let log = StampedLine.rawLines(ofFile: Self.logPath(project, "announcer.log")) ?? []
        #expect(log.compactMap(StampedLine.init).contains { $0.text == "ready to serve" }, "\(log)")
        #expect(start.seconds >= 0.5, "ready before the service could have printed its line")
    }

    @Test func logHealthCheckThatNeverSeesItsLineFailsAfterItsTimeout() {
        let project = TestProject(#"""
        {"services": [{"name": "mute", "command": "echo starting; exec sleep 300",
          "healthcheck": {"log": "ready to serve", "timeout": 1}}]}
        """#)
        defer { project.cleanUp() }
        let start = project.devctl("start")
        #expect(start.exitCode == 1, "\(start)")
        #expect(start.stdout.contains("not healthy after 1 s"), "\(start)")
    }

    @Test func logHealthCheckIgnoresTheLineOfAnEarlierRun() throws {
        let project = TestProject(#"""
        {"services": [{"name": "announcer", "command": "echo ready to serve; exec sleep 300",
          "healthcheck": {"log": "ready to serve", "timeout": 10}}]}
        """#)
        defer { project.cleanUp() }
        let first = project.devctl("start")
        #expect(first.exitCode == 0, "\(first)")
        let stop = project.devctl("stop")
        #expect(stop.exitCode == 0, "\(stop)")
        // The same service, now silent: only the earlier run's line is in its log.
        project.write("services.json", #"""
        {"services": [{"name": "announcer", "command": "exec sleep 300",
          "healthcheck": {"log": "ready to serve", "timeout": 1}}]}
        """#)
        let second = project.devctl("start")
        #expect(second.exitCode == 1, "the earlier run's line counted: \(second)")
        #expect(second.stdout.contains("not healthy after 1 s"), "\(second)")
        let log = StampedLine.rawLines(ofFile: Self.logPath(project, "announcer.log")) ?? []
        #expect(log.compactMap(StampedLine.init).filter { $0.text == "ready to serve" }.count == 1,
                "the earlier line is still in the log, so ignoring it was a choice: \(log)")
        #expect(log.compactMap(StampedLine.init).filter { $0.text.hasPrefix("==> devctl start announcer") }.count == 2, "\(log)")
    }

    @Test func logHealthCheckFindsItsLineAfterABurstRotatedItPastTheFirstRotatedFile() throws {
        // The line and 100 more arrive in one write (cat of a file), so the keeper rotates twice
        // before any probe can look: the line and its run's header end up in NAME.log.2.
        let project = TestProject(#"""
        {"logMaxSize": 0.002, "logKeep": 3, "services": [{"name": "chatty",
          "command": "{ echo ready to serve; for i in $(seq 1 100); do echo \"request-$i served in 1 ms\"; done; } > burst.txt; sleep 0.3; cat burst.txt; exec sleep 300",
          "healthcheck": {"log": "ready to serve", "timeout": 3}}]}
        """#)
        defer { project.cleanUp() }
        let start = project.devctl("start")
        let holder = ["chatty.log", "chatty.log.1", "chatty.log.2", "chatty.log.3"].first { file in
            (StampedLine.rawLines(ofFile: Self.logPath(project, file)) ?? []).contains { StampedLine($0)?.text == "ready to serve" }
        }
        #expect(holder == "chatty.log.2", "the burst did not move the line where this test means it to be")
        #expect(start.exitCode == 0, "the line of this run is still in its kept logs: \(start)")
        #expect(start.stdout.contains("chatty ready"), "\(start)")
    }

    // MARK: stamps

    @Test func everyLineAndHeaderOfARealServiceIsStampedInUTCAndLogsShowsTheStampOnlyWithT() throws {
        let project = TestProject(#"""
        {"services": [{"name": "talker", "command": "echo to-stdout; echo to-stderr >&2; sleep 0.3; echo later; exec sleep 300"}]}
        """#)
        // A zone far from UTC for devctl: a stamp in local time would be hours off.
        project.extraEnvironment["TZ"] = "Asia/Kathmandu"
        defer { project.cleanUp() }
        let before = Date()
        let start = project.devctl("start")
        #expect(start.exitCode == 0, "\(start)")
        let pid = try #require(project.trackedPIDs["talker"])
        let path = Self.logPath(project, "talker.log")
        #expect(TestProcesses.waitUntil(timeout: 30) { project.read(".pids/logs/talker.log")?.contains(" later\n") == true })
        let after = Date()

        let raw = try #require(StampedLine.rawLines(ofFile: path))
        let stamped = raw.compactMap(StampedLine.init)
        #expect(stamped.count == raw.count, "lines without a stamp: \(raw.filter { StampedLine($0) == nil })")
        #expect(stamped.map(\.text).first == "==> devctl start talker (pid \(pid)): echo to-stdout; echo to-stderr >&2; sleep 0.3; echo later; exec sleep 300",
                "\(raw)")
        #expect(Set(stamped.dropFirst().map(\.text)) == ["to-stdout", "to-stderr", "later"], "\(raw)")
        for line in stamped {
            #expect(line.date >= before.addingTimeInterval(-5) && line.date <= after.addingTimeInterval(5),
                    "\(line.stamp) is not within seconds of now (\(before)…\(after)) in UTC")
        }
        let dates = stamped.map(\.date)
        #expect(dates == dates.sorted(), "stamps go back in time: \(raw)")

        let plain = project.devctl("logs", "talker")
        #expect(plain.exitCode == 0, "\(plain)")
        #expect(Self.lines(plain.stdout).sorted() == ["talker | later", "talker | to-stderr", "talker | to-stdout"], "\(plain)")
        let timed = project.devctl("logs", "-t", "talker")
        #expect(timed.exitCode == 0, "\(timed)")
        let expected = stamped.dropFirst().map { "talker | \($0.stamp) \($0.text)" }
        #expect(Self.lines(timed.stdout) == expected, "-t shows each line's stored stamp: \(timed)")
    }

    @Test func linesOfTwoRealServicesAreMergedByTheirStamps() throws {
        // a at 0, 0.6 and 1.2 s, b at 0.3 and 0.9 s; b counts from a's first line, not from its own spawn.
        let project = TestProject(#"""
        {"services": [
          {"name": "a", "command": "echo a-1; touch a.began; sleep 0.6; echo a-2; sleep 0.6; echo a-3; exec sleep 300"},
          {"name": "b", "command": "while [ ! -f a.began ]; do sleep 0.01; done; sleep 0.3; echo b-1; sleep 0.6; echo b-2; exec sleep 300"}
        ]}
        """#)
        defer { project.cleanUp() }
        let start = project.devctl("start")
        #expect(start.exitCode == 0, "\(start)")
        #expect(TestProcesses.waitUntil(timeout: 30) {
            project.read(".pids/logs/a.log")?.contains(" a-3\n") == true && project.read(".pids/logs/b.log")?.contains(" b-2\n") == true
        })
        // The order the stored stamps give, read by the test.
        let stored = ["a", "b"].flatMap { name in
            (StampedLine.rawLines(ofFile: Self.logPath(project, name + ".log")) ?? []).compactMap(StampedLine.init)
                .filter { !$0.text.hasPrefix("==> devctl") }.map { (name: name, line: $0) }
        }.sorted { $0.line.date < $1.line.date }
        #expect(stored.map(\.line.text) == ["a-1", "b-1", "a-2", "b-2", "a-3"], "the services did not write alternately: \(stored)")

        let result = project.devctl("logs")
        #expect(result.exitCode == 0, "\(result)")
        #expect(Self.lines(result.stdout) == stored.map { "\($0.name) | \($0.line.text)" }, "\(result)")
    }

    // MARK: rotation

    @Test func rotationKeepsExactlyLogKeepFilesOfWholeLinesAndLogsReadsAcrossThem() throws {
        let project = TestProject(#"""
        {"logMaxSize": 0.002, "logKeep": 2, "services": [{"name": "counter",
          "command": "for i in $(seq 1 300); do echo \"line-$i the quick brown fox\"; done; exec sleep 300"}]}
        """#)
        defer { project.cleanUp() }
        let start = project.devctl("start")
        #expect(start.exitCode == 0, "\(start)")
        #expect(TestProcesses.waitUntil(timeout: 30) { project.read(".pids/logs/counter.log")?.contains(" line-300 the") == true })

        let logs = try FileManager.default.contentsOfDirectory(atPath: project.root + "/.pids/logs").filter { $0.hasPrefix("counter.") }
        #expect(logs.sorted() == ["counter.log", "counter.log.1", "counter.log.2"])
        let limit = Int(0.002 * 1_048_576)
        var numbers = [Int]()
        for file in ["counter.log.2", "counter.log.1", "counter.log"] {
            let path = Self.logPath(project, file)
            let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int ?? .max
            #expect(size <= limit, "\(file) holds \(size) bytes, more than logMaxSize (\(limit))")
            #expect(project.read(".pids/logs/" + file)?.hasSuffix("\n") == true, "\(file) ends inside a line")
            for line in StampedLine.rawLines(ofFile: path) ?? [] {
                guard let text = StampedLine(line)?.text, let match = text.wholeMatch(of: #/line-(\d+) the quick brown fox/#) else {
                    Issue.record("\(file): not a whole stamped line: \(line)")
                    continue
                }
                numbers.append(Int(match.1)!)
            }
        }
        let first = try #require(numbers.first)
        #expect(numbers == Array(first...300), "lines lost, doubled or out of order across the files: \(numbers)")

        let current = StampedLine.rawLines(ofFile: Self.logPath(project, "counter.log"))?.count ?? 0
        #expect(current < 50, "the current log alone holds the last 50 lines (\(current)): -n 50 would prove nothing")
        let tail = project.devctl("logs", "-n", "50", "counter")
        #expect(tail.exitCode == 0, "\(tail)")
        #expect(Self.lines(tail.stdout) == (251...300).map { "counter | line-\($0) the quick brown fox" }, "\(tail)")
    }

    @Test func followPrintsEveryLineOnceAcrossRealRotations() throws {
        let project = TestProject(#"""
        {"logMaxSize": 0.001, "services": [{"name": "ticker",
          "command": "i=0; while :; do i=$((i+1)); echo n-$i; sleep 0.02; done"}]}
        """#)
        defer { project.cleanUp() }
        let start = project.devctl("start")
        #expect(start.exitCode == 0, "\(start)")
        #expect(TestProcesses.waitUntil(timeout: 30) { project.read(".pids/logs/ticker.log")?.contains(" n-5\n") == true })
        let launched = DevctlRunner.launch(["logs", "-f", "ticker"], directory: project.root, environment: project.environment)
        var finished = false
        defer { if !finished { kill(launched.pid, SIGKILL); _ = DevctlRunner.finish(launched) } }
        #expect(LaunchedOutput.wait(launched, for: "ticker | n-"))
        let firstShown = Self.lines(LaunchedOutput.stdout(of: launched)).compactMap { Int($0.split(separator: "-").last ?? "") }.first ?? 0
        // About 32 lines fit in a 1 KiB log: 250 more lines are several rotations.
        #expect(LaunchedOutput.wait(launched, for: "ticker | n-\(firstShown + 250)\n", timeout: 60))
        kill(launched.pid, SIGINT)
        let result = DevctlRunner.finish(launched)
        finished = true
        #expect(result.exitCode == 0, "\(result)")

        let numbers = Self.lines(result.stdout).map { line in Int(line.split(separator: "-").last ?? "") ?? -1 }
        let first = try #require(numbers.first, "\(result)")
        #expect(numbers == Array(first..<(first + numbers.count)), "a line missing or doubled: \(numbers)")
        // The rotations happened while it followed: the log it began in is gone from NAME.log.
        let current = (StampedLine.rawLines(ofFile: Self.logPath(project, "ticker.log")) ?? []).compactMap { StampedLine($0)?.text }
        let oldestCurrent = current.compactMap { Int($0.split(separator: "-").last ?? "") }.first ?? 0
        #expect(oldestCurrent > firstShown + 100, "no rotation while following: NAME.log begins at n-\(oldestCurrent)")
        #expect(FileManager.default.fileExists(atPath: Self.logPath(project, "ticker.log.3")))
        #expect(!FileManager.default.fileExists(atPath: Self.logPath(project, "ticker.log.4")), "more than logKeep (3) rotated files")
    }
}
