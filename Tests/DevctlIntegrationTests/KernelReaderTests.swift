#if canImport(Glibc)
import Glibc
#endif
import DevctlTestSupport
import Foundation
import Testing

/// The independent /proc reader every other integration test judges by, checked against what
/// system calls answer: the judge must be right before its verdicts mean anything.
@Suite struct KernelReaderTests {
    @Test func thisProcessIsReadAsTheSystemCallsDescribeIt() throws {
        let me = try #require(KernelProcessEntry(pid: getpid()))
        #expect(me.parent == getppid())
        #expect(me.processGroup == getpgrp())
        #expect(me.session == getsid(0))
        #expect(me.arguments == CommandLine.arguments)
        #expect(me.startTime > 0 && !me.isDead)
        #expect(KernelProcessStatus(pid: getpid())?.userID == geteuid())
        #expect(KernelProcessEntry.environment(of: getpid())?["PATH"] == ProcessInfo.processInfo.environment["PATH"])
        #expect(KernelProcessEntry.workingDirectory(of: getpid()) == FileManager.default.currentDirectoryPath)
        #expect(KernelProcessEntry.all().contains { $0.pid == getpid() })
    }

    @Test func childIsSeenWithItsGroupEnvironmentFolderAndDispositionsThenDead() throws {
        let marker = UUID().uuidString
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sh")
        // An ignored disposition survives exec, so sleep itself ignores SIGINT.
        child.arguments = ["-c", "trap '' INT; exec sleep 300"]
        child.environment = ["PATH": "/usr/bin:/bin", "DEVCTL_READER_TEST": marker]
        child.currentDirectoryURL = URL(fileURLWithPath: "/")
        child.standardInput = FileHandle.nullDevice
        try child.run()
        let pid = child.processIdentifier
        defer {
            if child.isRunning { kill(pid, SIGKILL) }
            child.waitUntilExit()
        }
        try #require(TestProcesses.waitUntil { KernelProcessEntry(pid: pid)?.arguments == ["sleep", "300"] })

        let entry = try #require(KernelProcessEntry(pid: pid))
        #expect(entry.parent == getpid())
        #expect(entry.processGroup == getpgid(pid))
        #expect(entry.session == getsid(pid))
        #expect(entry.commandLine == "sleep 300")
        #expect(entry.startTime >= KernelProcessEntry(pid: getpid())?.startTime ?? .max)
        #expect(KernelProcessEntry.environment(of: pid)?["DEVCTL_READER_TEST"] == marker)
        #expect(KernelProcessEntry.carrying("DEVCTL_READER_TEST", marker) == [pid])
        #expect(KernelProcessEntry.workingDirectory(of: pid) == "/")
        #expect(KernelProcessEntry.descriptors(of: pid)?[0] == "/dev/null")
        let status = try #require(KernelProcessStatus(pid: pid))
        #expect(status.ignores(SIGINT) && !status.ignores(SIGKILL))
        #expect(KernelProcessEntry.tree(of: pid).map(\.pid) == [pid])

        kill(pid, SIGKILL)
        #expect(KernelProcessEntry.waitUntilDead(pid, timeout: 10))
        #expect(KernelProcessEntry.carrying("DEVCTL_READER_TEST", marker) == [])
        #expect(KernelProcessEntry.tree(of: pid).isEmpty)
    }

    @Test func zombieCountsAsDeadWhileItsPIDStillExists() throws {
        // posix_spawn, not Process: nothing reaps this child until the waitpid below.
        var pid: pid_t = 0
        let arguments = [strdup("/bin/true"), nil]
        defer { arguments.forEach { free($0) } }
        try #require(posix_spawn(&pid, "/bin/true", nil, nil, arguments, environ) == 0)
        defer { _ = waitpid(pid, nil, 0) }
        try #require(TestProcesses.waitUntil { KernelProcessEntry(pid: pid)?.state == "Z" })
        #expect(kill(pid, 0) == 0, "the kernel still knows the PID")
        #expect(KernelProcessEntry.isDead(pid) && !KernelProcessEntry.isAlive(pid))
        #expect(KernelProcessEntry.waitUntilDead(pid, timeout: 0))
    }

    @Test func listenersOnAPortAreTheProcessesHoldingTheListeningSocket() throws {
        let socket = try LoopbackSocket(listening: false)
        defer { socket.close() }
        #expect(KernelPortListeners.sockets(on: socket.port).isEmpty, "bound is not listening")
        #expect(KernelPortListeners.processes(on: socket.port) == [])
        try socket.listen()
        #expect(KernelPortListeners.sockets(on: socket.port).count == 1)
        #expect(KernelPortListeners.processes(on: socket.port) == [getpid()])
        let ipv6 = try LoopbackSocket(ipv6: true)
        defer { ipv6.close() }
        #expect(KernelPortListeners.processes(on: ipv6.port) == [getpid()])
    }
}
