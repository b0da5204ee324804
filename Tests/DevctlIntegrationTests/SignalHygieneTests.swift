#if canImport(Glibc)
import Glibc
#endif
import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import DevctlTestSupport
import Foundation
import Testing

/// devctl's own signals: Ctrl-C or SIGTERM during a stop cuts the grace short but never abandons
/// the stop half-way, and output into a closed pipe (`| head -1`) never kills it.
@Suite struct SignalHygieneTests {
    @Test(arguments: [[SIGINT], [SIGTERM], [SIGINT, SIGTERM, SIGHUP]])
    func signalsDuringStopFinishItAndReport(signals: [Int32]) throws {
        let project = TestProject(shapes: ["stubborn": .ignoresTerm, "plain": .sleeps], stopTimeout: 60)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let members = project.markedProcesses
        let plain = try #require(project.trackedPIDs["plain"])
        let began = Date()
        let launched = DevctlRunner.launch(["stop"], directory: project.root, environment: project.environment)
        // Signalled while phase 1 waits for the stubborn service only.
        #expect(LaunchedOutput.wait(launched, for: "[1/5]"))
        #expect(TestProcesses.waitUntil { !KernelProcessEntry.isAlive(plain) })
        for signal in signals {
            kill(launched.pid, signal)
            usleep(50_000)
        }
        let result = DevctlRunner.finish(launched, began: began)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("[5/5] Verify"), "the stop was abandoned: \(result)")
        #expect(result.stdout.contains("1 forced (stubborn)"), "\(result)")
        #expect(result.stdout.contains("grace cut short by a signal"), "\(result)")
        #expect(!result.stdout.contains("after 60.0 s"), "the account claims a grace that was not given: \(result)")
        #expect(result.seconds < 30, "the signal did not cut the 60 s grace short")
        for pid in members { #expect(!KernelProcessEntry.isAlive(pid), "pid \(pid) survived") }
        #expect(project.markedProcesses.isEmpty, "\(result)")
        #expect(project.read(".pids/services.pids") == nil)
    }

    /// devctl with stdout a pipe nobody reads any more: every write fails with EPIPE.
    static func runIntoClosedPipe(_ project: TestProject, _ arguments: [String]) throws -> (code: DevctlProcesses.ExitStatus?, stderr: String) {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        close(fds[0])
        let errPath = project.root + "/stderr-\(UUID().uuidString)"
        let errFD = open(errPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        defer { close(errFD); unlink(errPath) }
        let pid = try Spawner.spawn(arguments: [DevctlRunner.binary] + arguments, environment: project.environment,
                                    workingDirectory: project.root, outputDescriptor: fds[1], errorDescriptor: errFD,
                                    placement: .newProcessGroup)
        close(fds[1])
        // Bounded: a devctl hung on its closed pipe fails this test instead of the whole run.
        var status: DevctlProcesses.ExitStatus?
        if !TestProcesses.waitUntil(timeout: 120, { status = Spawner.reap(pid); return status != nil }) {
            kill(-pid, SIGKILL)
            status = Spawner.reap(pid, blocking: true)
            Issue.record("devctl \(arguments.joined(separator: " ")) into a closed pipe still ran after 120 s; killed")
        }
        return (status, (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    @Test func closedOutputPipeKillsNeitherStatusNorStop() throws {
        let project = TestProject(Fixtures.sleepers(20))
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let members = project.markedProcesses
        let status = try Self.runIntoClosedPipe(project, ["status"])
        #expect(status.code == DevctlProcesses.ExitStatus.exited(0), "\(status)")
        let stop = try Self.runIntoClosedPipe(project, ["stop"])
        #expect(stop.code == DevctlProcesses.ExitStatus.exited(0), "\(stop)")
        for pid in members { #expect(!KernelProcessEntry.isAlive(pid), "stop gave up when its output went nowhere") }
        #expect(project.markedProcesses.isEmpty)
        #expect(project.read(".pids/services.pids") == nil)
    }

    @Test func pipedIntoHeadEachCommandStillFinishes() throws {
        let project = TestProject(Fixtures.sleepers(20))
        defer { project.cleanUp() }
        let script = #"for c in start status stop; do { "$0" "$c"; echo "devctl $c exited $?" >&2; } | head -1; done"#
        let result = DevctlRunner.run(["-c", script, DevctlRunner.binary], directory: project.root,
                                      environment: project.environment, shell: true)
        for command in ["start", "status", "stop"] {
            #expect(result.stderr.contains("devctl \(command) exited 0"), "\(result)")
        }
        #expect(result.stdout.split(separator: "\n").count == 3, "\(result)")
        #expect(project.markedProcesses.isEmpty)
    }
}
