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

/// `devctl init`: the file it writes must be one the other commands accept and run.
@Suite struct InitTests {
    /// A project folder without a services.json.
    static func emptyProject(files: [String: String] = [:]) -> TestProject {
        let project = TestProject("", files: files)
        unlink(project.root + "/services.json")
        return project
    }

    @Test func fileMadeFromAProcfileIsOneStartRuns() throws {
        let project = Self.emptyProject(files: [
            "Procfile": "# processes\nweb: echo \"web on $PORT\"; exec python3 \(Fixtures.path("listen.py")) $PORT\n\nworker.1: exec sleep 301\n",
            ".env": "GREETING=hello\n",
        ])
        defer { project.cleanUp() }
        let result = project.devctl("init", "--from-procfile")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("2 service(s) from Procfile: web, worker-1"), "\(result)")
        #expect(result.stdout.contains("Configuration reference"))

        let start = project.devctl("start")
        #expect(start.exitCode == 0, "\(start)")
        #expect(Set(project.trackedPIDs.keys) == ["web", "worker-1"])
        let web = try #require(project.trackedPIDs["web"])
        let environment = try #require(KernelProcessEntry.environment(of: web))
        #expect(environment["GREETING"] == "hello", ".env is the services' envFile")
        #expect(environment["PORT"] == "5000")
        TestProcesses.waitUntil(timeout: 30) { project.read(".pids/logs/web.log")?.contains("web on 5000") == true }
        #expect(project.read(".pids/logs/web.log")?.contains("web on 5000") == true)
        #expect(start.stdout.contains("web ready"), "web names $PORT, so start waits for tcp 5000: \(start)")
        #expect(KernelPortListeners.processes(on: 5000) == [web])

        let processes = project.markedProcesses
        #expect(project.devctl("stop").exitCode == 0)
        for pid in processes { #expect(!KernelProcessEntry.isAlive(pid)) }
    }

    /// foreman and honcho give every process its PORT, not only those whose command line names it:
    /// gunicorn, puma and node apps read it from the environment, and would otherwise bind to a
    /// default of their own.
    @Test func processThatReadsPortFromItsEnvironmentGetsTheOneForemanGivesItsLine() throws {
        let project = Self.emptyProject(files: [
            "Procfile": """
                web: exec sleep 300
                api: exec python3 -c "import os,time; print('api on', os.environ['PORT'], flush=True); time.sleep(300)"

                """,
        ])
        defer { project.cleanUp() }
        let result = project.devctl("init", "--from-procfile")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("api gets PORT=5100"), "\(result)")

        let start = project.devctl("start")
        #expect(start.exitCode == 0, "\(start)")
        let web = try #require(project.trackedPIDs["web"], "\(start)")
        let api = try #require(project.trackedPIDs["api"], "\(start)")
        TestProcesses.waitUntil(timeout: 30) { project.read(".pids/logs/api.log")?.contains("api on 5100") == true }
        #expect(project.read(".pids/logs/api.log")?.contains("api on 5100") == true, "\(project.read(".pids/logs/api.log") ?? "no log")")
        // Once it has printed, the tracked process is python itself (past any shim that execs it).
        #expect(KernelProcessEntry(pid: api)?.commandLine.contains("time.sleep(300)") == true)
        #expect(KernelProcessEntry.environment(of: api)?["PORT"] == "5100")
        #expect(KernelProcessEntry.environment(of: web)?["PORT"] == "5000")

        let processes = project.markedProcesses
        #expect(project.devctl("stop").exitCode == 0)
        for pid in processes { #expect(!KernelProcessEntry.isAlive(pid)) }
    }

    @Test func procfileCanBeNamed() {
        let project = Self.emptyProject(files: ["deploy/Procfile.dev": "api: exec sleep 300\n"])
        defer { project.cleanUp() }
        let result = project.devctl("init", "--from-procfile", "deploy/Procfile.dev")
        #expect(result.exitCode == 0, "\(result)")
        #expect(project.read("services.json")?.contains(#""name": "api""#) == true)
    }

    /// The Procfile is named on the command line (or by default): one that is missing or is not a
    /// Procfile is a usage error, exit 2, like a missing or bad services.json.
    @Test func missingOrBrokenProcfileIsAUsageErrorAndWritesNothing() {
        let project = Self.emptyProject(files: ["Procfile.bad": "web: ok\nthis is not a process\n"])
        defer { project.cleanUp() }
        let missing = project.devctl("init", "--from-procfile")
        #expect(missing.exitCode == 2, "\(missing)")
        #expect(missing.stderr.contains("cannot read the Procfile 'Procfile'"), "\(missing)")
        let named = project.devctl("init", "--from-procfile", "nosuch")
        #expect(named.exitCode == 2, "\(named)")
        #expect(named.stderr == "error: cannot read the Procfile 'nosuch': No such file or directory\n", "\(named)")
        let broken = project.devctl("init", "--from-procfile", "Procfile.bad")
        #expect(broken.exitCode == 2, "\(broken)")
        #expect(broken.stderr.contains("line 2: expected 'name: command'"), "\(broken)")
        #expect(project.read("services.json") == nil)
    }

    /// `éé` used to become the service `--`; `devctl stop --` then meant every service.
    @Test func procfileNamesThatWouldReadAsOptionsBecomeUsableNames() throws {
        let project = Self.emptyProject(files: ["Procfile": "éé: exec sleep 300\n-web: exec sleep 301\n"])
        defer { project.cleanUp() }
        let result = project.devctl("init", "--from-procfile")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("2 service(s) from Procfile: service, web"), "\(result)")
        #expect(result.stdout.contains("'éé' is named 'service'"), "\(result)")
        let names = try #require(try? ConfigLoader.load(file: project.root + "/services.json")).services.map(\.name)
        #expect(names == ["service", "web"])

        #expect(project.devctl("start").exitCode == 0)
        let unknown = project.devctl("stop", "--", "--")
        #expect(unknown.exitCode == 2, "\(unknown)")
        #expect(unknown.stderr.contains("unknown service '--'"), "\(unknown)")
        #expect(Set(project.trackedPIDs.keys) == ["service", "web"], "an unknown name stops nothing")
    }

    @Test func refusesToOverwriteWithoutForce() {
        let original = #"{"services": [{"name": "mine", "command": "true"}]}"#
        let project = TestProject(original)
        defer { project.cleanUp() }
        let refused = project.devctl("init")
        #expect(refused.exitCode == 1)
        #expect(refused.stderr.contains("already exists"), "\(refused)")
        #expect(refused.stderr.contains("--force"))
        #expect(project.read("services.json") == original)

        let forced = project.devctl("init", "--force")
        #expect(forced.exitCode == 0, "\(forced)")
        #expect(project.read("services.json") != original)
    }

    @Test func starterIsAValidServicesJson() {
        let project = Self.emptyProject()
        defer { project.cleanUp() }
        #expect(project.devctl("init").exitCode == 0)
        let status = project.devctl("status")
        #expect(status.exitCode == 3, "valid, with services not running: \(status)")
        #expect(status.stdout.contains("web") && status.stdout.contains("worker"))
    }
}
