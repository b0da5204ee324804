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
#if canImport(Glibc)
import Glibc
#endif

/// The runner of short commands (health checks, docker) against real shells: output, exit
/// status, signals, timeouts and the process group it kills.
@Suite struct CommandRunnerTests {
    let runner = CommandRunner(environment: ["PATH": "/usr/bin:/bin", "GREETING": "hello"])

    func shell(_ script: String, in directory: String? = nil, timeout: Double = 10) throws -> CommandResult {
        try runner.run(["sh", "-c", script], workingDirectory: directory, timeout: timeout)
    }

    @Test func capturesStdoutAndStderrApart() throws {
        let result = try shell("echo out; echo err >&2")
        #expect(result == CommandResult(exitStatus: 0, signal: nil, stdout: "out\n", stderr: "err\n", timedOut: false, duration: result.duration))
    }

    @Test func drainsBothPipesWhileWaitingSoLargeOutputCannotDeadlock() throws {
        let result = try shell("head -c 300000 /dev/zero | tr '\\0' o; head -c 300000 /dev/zero | tr '\\0' e >&2")
        #expect(result.succeeded)
        #expect(result.stdout.utf8.count == 300_000 && result.stderr.utf8.count == 300_000)
    }

    @Test func nonZeroExitIsAResultNotAnError() throws {
        let result = try shell("echo failing >&2; exit 3")
        #expect(result.exitStatus == 3 && result.signal == nil && !result.succeeded && result.stderr == "failing\n")
    }

    @Test func reportsTheSignalThatEndedTheCommand() throws {
        let result = try shell("kill -TERM $$")
        #expect(result.exitStatus == nil && result.signal == SIGTERM && !result.timedOut)
    }

    @Test func missingExecutableIsItsOwnError() {
        #expect(throws: CommandError.executableNotFound("devctl-no-such-tool")) {
            try runner.run(["devctl-no-such-tool"], timeout: 5)
        }
        #expect(runner.executablePath("sh") == "/usr/bin/sh" || runner.executablePath("sh") == "/bin/sh")
    }

    @Test func missingWorkingDirectoryIsALaunchFailureThatNamesIt() {
        #expect(throws: CommandError.launchFailed(executable: "sh", reason: "cannot enter '/devctl-no-such-dir': No such file or directory")) {
            try shell("true", in: "/devctl-no-such-dir")
        }
    }

    @Test func runsInTheGivenDirectoryWithTheGivenEnvironment() throws {
        let result = try shell("pwd; echo $GREETING; echo ${HOME:-unset}", in: "/proc")
        #expect(result.stdout == "/proc\nhello\nunset\n")
    }

    @Test func runsTheCommandAsLeaderOfItsOwnProcessGroup() throws {
        // Asked while the command is alive: the shell reads its own /proc/PID/stat.
        let report = try shell("read -r stat < /proc/$$/stat; echo $$ ${stat##*) }")
        let fields = report.stdout.split(separator: " ")
        try #require(fields.count > 3)
        #expect(pid_t(fields[0]) == pid_t(fields[3]), "pid == pgid")
        #expect(pid_t(fields[3]) != getpgrp())
    }

    @Test func timeoutKillsTheWholeProcessGroup() throws {
        let result = try shell("sleep 60 & echo $!; sleep 60", timeout: 0.5)
        #expect(result.timedOut && result.signal == SIGKILL)
        #expect(result.duration < .seconds(3))
        let background = try #require(pid_t(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(KernelProcessEntry.waitUntilDead(background), "the background sleep of the group is killed too")
    }

    @Test func commandThatClosesItsOutputStillTimesOut() throws {
        let result = try shell("exec >&- 2>&-; sleep 60", timeout: 0.5)
        #expect(result.timedOut && result.signal == SIGKILL && result.duration < .seconds(3))
    }

    @Test func returnsSoonAfterExitWhenAnEscapedDescendantHoldsTheOutputOpen() throws {
        let result = try shell("setsid sleep 60 & echo $!", timeout: 30)
        let escaped = try #require(pid_t(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        defer { kill(escaped, SIGKILL) }
        #expect(result.succeeded && result.duration < .seconds(3))
    }

    @Test func leavesNoZombieBehind() throws {
        for _ in 0..<5 {
            let result = try shell("echo $$")
            let pid = try #require(pid_t(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
            // Reaped before `run` returns: the PID is gone (or already reused, never a zombie of ours).
            let entry = KernelProcessEntry(pid: pid)
            #expect(entry == nil || !(entry?.state == "Z" && entry?.parent == getpid()))
        }
    }
}
