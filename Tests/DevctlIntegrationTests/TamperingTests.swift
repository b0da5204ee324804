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

/// Tracking state that lies: entries naming PID 1, devctl or its parent, another user's process,
/// a stranger, a reused PID — none is signalled, each is reported once, and the stop succeeds.
/// A `.pids/` folder others could have written is refused, as ssh refuses a key others can read.
@Suite struct TamperingTests {
    static let isRoot = geteuid() == 0
    static let hasSetpriv = FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")

    static func startTime(_ pid: Int32) throws -> UInt64 { try #require(KernelProcessEntry(pid: pid)?.startTime) }

    static func occurrences(of text: String, in output: String) -> Int { output.components(separatedBy: text).count - 1 }

    @Test func lyingEntriesAreIgnoredReportedOnceAndTheStopSucceeds() throws {
        let names = ["api", "init", "stranger", "reused"] + (Self.isRoot && Self.hasSetpriv ? ["foreign"] : [])
        let project = TestProject(#"{"services": [\#(names.map { #"{"name": "\#($0)", "command": ["sleep", "300"]}"# }.joined(separator: ", "))]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start", "api").exitCode == 0)
        let api = try #require(project.trackedPIDs["api"])

        var unmarked = ProcessInfo.processInfo.environment
        unmarked["DEVCTL_TEST_ID"] = project.testID
        // Not a session leader: a recorded session leader is believed on its identity alone.
        let stranger = TestProcess(["sleep", "300"], environment: unmarked, sessionLeader: false)
        let reused = TestProcess(["sleep", "300"], environment: unmarked)
        defer { stranger.stop(); reused.stop() }
        var lines = ["api:\(api):\(api):\(try Self.startTime(api))",
                     "init:1:1:\(try Self.startTime(1))",
                     "stranger:\(stranger.pid):\(stranger.pid):\(try Self.startTime(stranger.pid))",
                     "reused:\(reused.pid):\(reused.pid):\(try Self.startTime(reused.pid) + 1)"]
        var expected = ["ignoring tracking entry init:1: PID 1 is never a service",
                        "ignoring tracking entry stranger:\(stranger.pid): PID \(stranger.pid) was not started by this project",
                        "ignoring tracking entry reused:\(reused.pid): PID reused (start time differs)"]
        var foreign: TestProcess?
        if names.contains("foreign") {
            // Another user's process that even carries this project's marker and a service name.
            var marked = unmarked
            marked["DEVCTL_PROJECT"] = project.marker
            marked["DEVCTL_SERVICE"] = "foreign"
            let process = TestProcess(["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sleep", "300"],
                                      environment: marked)
            #expect(TestProcesses.waitUntil { KernelProcessStatus(pid: process.pid)?.userID == 65534 })
            lines.append("foreign:\(process.pid):\(process.pid):\(try Self.startTime(process.pid))")
            expected.append("ignoring tracking entry foreign:\(process.pid): PID \(process.pid) belongs to another user (uid 65534)")
            foreign = process
        }
        defer { foreign?.stop() }
        project.write(".pids/services.pids.identity", lines.map { $0 + "\n" }.joined())

        let status = project.devctl("status")
        #expect(status.exitCode == 3, "\(status)")
        for warning in expected { #expect(Self.occurrences(of: warning, in: status.stderr) == 1, "\(warning)\n\(status)") }

        let stop = project.devctl("stop")
        #expect(stop.exitCode == 0, "\(stop)")
        for warning in expected { #expect(Self.occurrences(of: warning, in: stop.stderr) == 1, "\(warning)\n\(stop)") }
        #expect(!KernelProcessEntry.isAlive(api))
        #expect(KernelProcessEntry.isAlive(1))
        #expect(stranger.isAlive, "a stranger was signalled")
        #expect(reused.isAlive, "the new owner of a reused PID was signalled")
        if let foreign { #expect(foreign.isAlive, "another user's process was signalled") }
        #expect(project.read(".pids/services.pids.identity") == nil, "lying entries are removed once stopped")
    }

    @Test func entriesNamingDevctlItselfOrItsParentAreNeverSignalled() throws {
        let project = TestProject(#"{"services": [{"name": "parent", "command": ["sleep", "300"]}, {"name": "self", "command": ["sleep", "300"]}]}"#)
        defer { project.cleanUp() }
        // The parent shell records itself, then a child shell records itself and becomes devctl
        // (same PID, same start time, same group); both even carry the project's marker.
        let script = #"""
        field() { cut -d' ' -f"$2" "/proc/$1/stat"; }
        mkdir -p -m 755 .pids
        echo "parent:$$:$(field $$ 5):$(field $$ 22)" > .pids/services.pids.identity
        sh -c 'echo "self:$$:$(cut -d" " -f5 /proc/$$/stat):$(cut -d" " -f22 /proc/$$/stat)" >> .pids/services.pids.identity
               exec "$0" stop' "$1"
        echo "parent survived, devctl exited $?"
        """#
        var environment = project.environment
        environment["DEVCTL_PROJECT"] = project.marker
        let result = DevctlRunner.run(["-c", script, "sh", DevctlRunner.binary], directory: project.root,
                                      environment: environment, shell: true)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("parent survived, devctl exited 0"), "\(result)")
        let lines = result.stderr.split(separator: "\n").filter { $0.contains("is devctl itself or one of its parents") }
        #expect(lines.count == 2, "\(result)")
        #expect(lines.contains { $0.contains("ignoring tracking entry parent:") })
        #expect(lines.contains { $0.contains("ignoring tracking entry self:") })
    }

    @Test func entryNamingAnotherServicesProcessIsNotBelievedForIt() throws {
        let project = TestProject(#"{"services": [{"name": "api", "command": ["sleep", "300"]}, {"name": "web", "command": ["sleep", "301"]}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let api = try #require(project.trackedPIDs["api"]), web = try #require(project.trackedPIDs["web"])
        // api's entry now names web's leader (same project, same marker), web's entry is gone.
        project.write(".pids/services.pids.identity", "api:\(web):\(web):\(try Self.startTime(web))\n")
        let status = project.devctl("status", "api")
        #expect(status.stderr.contains("ignoring tracking entry api:\(web): PID \(web) is service 'web', not 'api'"), "\(status)")
        let stop = project.devctl("stop", "api")
        #expect(stop.exitCode == 0, "\(stop)")
        #expect(!KernelProcessEntry.isAlive(api), "api itself, recognised by its marker, is stopped")
        #expect(KernelProcessEntry.isAlive(web), "'stop api' stopped web")
    }

    /// Ways `.pids/` can stop being the user's own.
    enum Damage: String, CaseIterable, CustomTestStringConvertible {
        case folderWritableByOthers, folderWritableByGroup, identityWritableByOthers, identityIsASymlink
        case folderOwnedByAnotherUser, identityOwnedByAnotherUser

        var testDescription: String { rawValue }
        var needsRoot: Bool { self == .folderOwnedByAnotherUser || self == .identityOwnedByAnotherUser }

        /// Does the damage; returns the path and reason devctl must name, and the fix it must suggest.
        func apply(to folder: String) -> (path: String, reason: String, fix: String) {
            let identity = folder + "/services.pids.identity"
            switch self {
            case .folderWritableByOthers:
                chmod(folder, 0o777)
                return (folder, "is writable by its group and others (mode 0777)", "chmod 755 \(folder)")
            case .folderWritableByGroup:
                chmod(folder, 0o775)
                return (folder, "is writable by its group (mode 0775)", "chmod 755 \(folder)")
            case .identityWritableByOthers:
                chmod(identity, 0o646)
                return (identity, "is writable by others (mode 0646)", "chmod 644 \(identity)")
            case .identityIsASymlink:
                let elsewhere = folder + "/../identity-elsewhere"
                rename(identity, elsewhere)
                symlink(elsewhere, identity)
                return (identity, "is a symbolic link", "rm \(identity)")
            case .folderOwnedByAnotherUser:
                chown(folder, 65534, 65534)
                return (folder, "is owned by another user (uid 65534)", "chown root \(folder)")
            case .identityOwnedByAnotherUser:
                chown(identity, 65534, 65534)
                return (identity, "is owned by another user (uid 65534)", "chown root \(identity)")
            }
        }
    }

    @Test(arguments: Damage.allCases)
    func untrustworthyTrackingFolderIsRefusedUnlessStopForce(damage: Damage) throws {
        if damage.needsRoot && !Self.isRoot { try Test.cancel("\(damage) needs root to chown the tracking files") }
        let project = TestProject(#"{"services": [{"name": "api", "command": ["sleep", "300"]}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let api = try #require(project.trackedPIDs["api"])
        let folder = project.canonicalRoot + "/.pids"
        let (path, reason, fix) = damage.apply(to: folder)
        let refusal = "'\(path)' \(reason); refusing to trust it — fix with '\(fix)'"

        // status does not believe the files, but still finds the running service by its marker.
        let (json, services) = try project.statusJSON()
        #expect(json.exitCode == 0, "\(json)")
        #expect(services["api"]?["pid"] as? Int == Int(api), "\(json)")
        let status = project.devctl("status")
        #expect(status.stderr.contains("warning: \(refusal)\n"), "\(status)")

        let start = project.devctl("start")
        #expect(start.exitCode == 1, "\(start)")
        #expect(start.stderr == "error: \(refusal)\n", "\(start)")

        let stop = project.devctl("stop")
        #expect(stop.exitCode == 1, "\(stop)")
        #expect(stop.stderr == "error: \(refusal) or pass --force\n", "\(stop)")
        #expect(KernelProcessEntry.isAlive(api), "a refused stop signalled something")

        let forced = project.devctl("stop", "--force")
        #expect(forced.stderr.contains("trusting it anyway because of --force"), "\(forced)")
        #expect(!KernelProcessEntry.isAlive(api), "the service is still found by its marker")
        if damage == .identityIsASymlink {
            // Never read through a link, whatever --force says: what it might have named is unknown.
            #expect(forced.exitCode == 1, "\(forced)")
            #expect(forced.stdout.contains("cannot read the tracking files"), "\(forced)")
            #expect(FileManager.default.fileExists(atPath: folder + "/../identity-elsewhere"), "the link's target was touched")
        } else {
            #expect(forced.exitCode == 0, "\(forced)")
        }
    }

    @Test func aFileWhereTheTrackingFolderBelongsCannotBeForced() throws {
        let project = TestProject(#"{"services": [{"name": "api", "command": ["sleep", "300"]}]}"#)
        defer { project.cleanUp() }
        project.write(".pids", "not a folder\n")
        let folder = project.canonicalRoot + "/.pids"
        let message = "error: '\(folder)' is a file, not a folder; refusing to trust it — fix with 'mv \(folder) \(folder).old'\n"
        for arguments in [["start"], ["stop"], ["stop", "--force"]] {
            let result = project.devctl(arguments: arguments)
            #expect(result.exitCode == 1, "\(arguments): \(result)")
            #expect(result.stderr == message, "\(arguments): \(result)")
        }
        let status = project.devctl("status")
        #expect(status.exitCode == 3, "\(status)")
        #expect(status.stderr.contains("is a file, not a folder"))
        #expect(project.liveLeaders.isEmpty, "nothing may start half-way")
    }
}
