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

/// Every file under `.pids/` is a regular file, opened without following a symbolic link and
/// without waiting: a planted link is never written or read through, a FIFO never waited on,
/// and a link where `.pids/` or `.pids/logs/` belongs is refused — whatever `--force` says.
/// Each run of devctl has a deadline well under the harness's default, so a hang fails the
/// test instead of stalling the suite.
@Suite struct PidsFileKindTests {
    static let twoServices = #"{"services": [{"name": "api", "command": ["sleep", "300"]}, {"name": "web", "command": ["sleep", "301"]}]}"#
    static let deadline = 20.0

    static func occurrences(of text: String, in output: String) -> Int { output.components(separatedBy: text).count - 1 }

    /// `.pids/logs/` made by hand, with the mode devctl itself would give it.
    static func makeLogsFolder(_ project: TestProject) {
        for folder in [".pids", ".pids/logs"] {
            mkdir(project.root + "/" + folder, 0o755)
            chmod(project.root + "/" + folder, 0o755)
        }
    }

    @Test func stopForceNeverAppendsTheAuditTrailThroughALink() throws {
        let project = TestProject(#"{"services": [{"name": "api", "command": ["sleep", "300"]}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let api = try #require(project.trackedPIDs["api"])
        project.write("victim.txt", "precious\n")
        let events = project.root + "/.pids/events.log"
        unlink(events)
        #expect(symlink(project.root + "/victim.txt", events) == 0)
        chmod(project.root + "/.pids", 0o777)

        let forced = project.devctl("stop", "--force", timeout: Self.deadline)
        #expect(forced.exitCode == 0, "\(forced)")
        #expect(!KernelProcessEntry.isAlive(api), "\(forced)")
        #expect(project.read("victim.txt") == "precious\n", "the audit trail was written through the link")
        let warning = "'\(project.canonicalRoot)/.pids/events.log' is a symbolic link, not a regular file"
        #expect(Self.occurrences(of: warning, in: forced.stderr) == 1, "failing to audit is said once\n\(forced)")
    }

    @Test func aFIFOAsTheAuditTrailIsNeverWaitedOn() throws {
        let project = TestProject(#"{"services": [{"name": "api", "command": ["sleep", "300"]}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let api = try #require(project.trackedPIDs["api"])
        let events = project.root + "/.pids/events.log"
        unlink(events)
        #expect(mkfifo(events, 0o644) == 0)
        defer { unlink(events) }

        let refused = project.devctl("stop", timeout: Self.deadline)
        #expect(refused.exitCode == 1, "\(refused)")
        #expect(refused.stderr.contains("events.log' is not a regular file"), "\(refused)")
        let forced = project.devctl("stop", "--force", timeout: Self.deadline)
        #expect(forced.exitCode == 0, "\(forced)")
        #expect(forced.seconds < Self.deadline, "stop --force waited on the FIFO")
        #expect(!KernelProcessEntry.isAlive(api), "\(forced)")
        #expect(Self.occurrences(of: "events.log' is a FIFO, not a regular file", in: forced.stderr) == 1, "\(forced)")
    }

    @Test func aServiceLogThatIsALinkFailsThatServiceAndIsNeitherWrittenNorReadThrough() throws {
        let project = TestProject(Self.twoServices)
        defer { project.cleanUp() }
        Self.makeLogsFolder(project)
        project.write("victim.txt", "precious\n")
        #expect(symlink(project.root + "/victim.txt", project.root + "/.pids/logs/api.log") == 0)

        let start = project.devctl("start", timeout: Self.deadline)
        #expect(start.exitCode == 1, "\(start)")
        let reason = "cannot open its log: '\(project.canonicalRoot)/.pids/logs/api.log' is a symbolic link, not a regular file"
        #expect((start.stdout + start.stderr).contains(reason), "\(start)")
        #expect(project.read("victim.txt") == "precious\n", "the service log was written through the link")
        #expect(project.trackedPIDs["api"] == nil, "\(start)")
        let web = try #require(project.trackedPIDs["web"], "the other service starts as usual")
        #expect(KernelProcessEntry.isAlive(web))

        let logs = project.devctl("logs", "api", timeout: Self.deadline)
        #expect(logs.exitCode == 1, "\(logs)")
        #expect(!logs.stdout.contains("precious"), "the log was read through the link\n\(logs)")
        #expect(logs.stderr.contains("api.log' is a symbolic link, not a regular file"), "\(logs)")
    }

    @Test func aFIFOAsAServiceLogFailsThatServiceAtOnceAndLogsReturnsPromptly() throws {
        let project = TestProject(Self.twoServices)
        defer { project.cleanUp() }
        Self.makeLogsFolder(project)
        let fifo = project.root + "/.pids/logs/api.log"
        #expect(mkfifo(fifo, 0o644) == 0)
        defer { unlink(fifo) }

        let start = project.devctl("start", timeout: Self.deadline)
        #expect(start.exitCode == 1, "\(start)")
        #expect(start.seconds < Self.deadline, "start waited on the FIFO")
        #expect((start.stdout + start.stderr).contains("cannot open its log: '\(project.canonicalRoot)/.pids/logs/api.log' is a FIFO, not a regular file"),
                "\(start)")
        let web = try #require(project.trackedPIDs["web"], "the other service starts as usual")
        #expect(KernelProcessEntry.isAlive(web))

        let logs = project.devctl("logs", timeout: Self.deadline)
        #expect(logs.exitCode == 1, "\(logs)")
        #expect(logs.seconds < Self.deadline, "logs waited on the FIFO")
        #expect(logs.stderr.contains("api.log' is a FIFO, not a regular file"), "\(logs)")

        // Following: the FIFO is reported, the other log followed, and Ctrl-C ends it at once.
        let launched = DevctlRunner.launch(["logs", "-f"], directory: project.root, environment: project.environment)
        let reported = TestProcesses.waitUntil(timeout: Self.deadline) {
            ((try? String(contentsOfFile: launched.err, encoding: .utf8)) ?? "").contains("is a FIFO")
        }
        kill(launched.pid, SIGINT)
        let followed = DevctlRunner.finish(launched, timeout: Self.deadline)
        #expect(reported, "\(followed)")
        #expect(followed.exitCode == 1, "\(followed)")
        #expect(followed.seconds < Self.deadline, "logs -f did not end on Ctrl-C")
    }

    /// Where `.pids/` or `.pids/logs/` belongs, a link to a folder.
    enum LinkedFolder: String, CaseIterable, CustomTestStringConvertible {
        case pids = ".pids", logs = ".pids/logs"
        var testDescription: String { rawValue }
    }

    @Test(arguments: LinkedFolder.allCases)
    func aLinkWhereATrackingFolderBelongsIsRefusedWhateverForceSays(folder: LinkedFolder) throws {
        let project = TestProject(Self.twoServices)
        defer { project.cleanUp() }
        let elsewhere = project.root + "/elsewhere"
        #expect(mkdir(elsewhere, 0o755) == 0)
        chmod(elsewhere, 0o755)
        if folder == .logs {
            mkdir(project.root + "/.pids", 0o755)
            chmod(project.root + "/.pids", 0o755)
        }
        #expect(symlink(elsewhere, project.root + "/" + folder.rawValue) == 0)
        let path = project.canonicalRoot + "/" + folder.rawValue
        let message = "error: '\(path)' is a symbolic link; refusing to trust it — fix with 'rm \(path)'\n"

        for arguments in [["start"], ["stop"], ["stop", "--force"], ["logs"]] {
            let result = project.devctl(arguments: arguments, timeout: Self.deadline)
            #expect(result.exitCode == 1, "\(arguments): \(result)")
            #expect(result.stderr == message, "\(arguments): \(result)")
        }
        let status = project.devctl("status", timeout: Self.deadline)
        #expect(status.exitCode == 3, "\(status)")
        #expect(status.stderr.contains("'\(path)' is a symbolic link"), "\(status)")
        #expect(project.liveLeaders.isEmpty, "nothing may start through the link")
        #expect(FileSystem.directoryEntries(elsewhere).isEmpty, "something was written through the link")
    }

    @Test func aFIFOAsTheIdentityFileIsNeverWaitedOnEvenByStopForce() throws {
        let project = TestProject(#"{"services": [{"name": "api", "command": ["sleep", "300"]}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let api = try #require(project.trackedPIDs["api"])
        let identity = project.root + "/.pids/services.pids.identity"
        unlink(identity)
        #expect(mkfifo(identity, 0o644) == 0)
        defer { unlink(identity) }

        let forced = project.devctl("stop", "--force", timeout: Self.deadline)
        #expect(forced.seconds < Self.deadline, "stop --force waited on the FIFO")
        #expect(forced.exitCode == 1, "without its tracking files the stop cannot prove it found everything\n\(forced)")
        #expect(forced.stdout.contains("cannot read the tracking files"), "\(forced)")
        #expect(!KernelProcessEntry.isAlive(api), "the service is still found by its marker")
    }

    @Test func aLockThatIsNotARegularFileIsRefusedWhateverForceSays() throws {
        let project = TestProject(#"{"services": [{"name": "api", "command": ["sleep", "300"]}]}"#)
        defer { project.cleanUp() }
        Self.makeLogsFolder(project)
        let lock = project.root + "/.pids/lock"
        #expect(mkfifo(lock, 0o644) == 0)
        defer { unlink(lock) }
        let path = project.canonicalRoot + "/.pids/lock"
        let message = "error: '\(path)' is not a regular file; refusing to trust it — fix with 'rm -r \(path)'\n"
        for arguments in [["start"], ["stop", "--force"]] {
            let result = project.devctl(arguments: arguments, timeout: Self.deadline)
            #expect(result.exitCode == 1, "\(arguments): \(result)")
            #expect(result.stderr == message, "\(arguments): \(result)")
        }
        #expect(project.liveLeaders.isEmpty)
    }
}
