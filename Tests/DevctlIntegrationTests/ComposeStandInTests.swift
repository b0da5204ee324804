import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlSystem
import DevctlText
import DevctlTracking
import DevctlTestSupport
import Foundation
import Testing

/// The built devctl with a stand-in `docker` first on `PATH` that records every call (SPEC §4
/// phase 4): the exact words of `down`, and each way docker can answer — daemon down, compose
/// failing, no docker at all — while the processes are stopped all the same.
@Suite struct ComposeStandInTests {
    /// A project "My.Shop" with a compose file and two sleeping services, run with `standIn`'s
    /// folder first on `PATH` (alone, with `pathAfter` nil: the services are found by absolute path).
    static func project(_ standIn: StandInDocker, pathAfter: String? = ProcessInfo.processInfo.environment["PATH"]) -> TestProject {
        let project = TestProject(#"""
            {"project": "My.Shop", "stopTimeout": 2.5, "services": [
              {"name": "api", "command": ["/bin/sleep", "300"]},
              {"name": "worker", "command": ["/bin/sleep", "301"]}]}
            """#, files: ["compose.yml": "services: {}\n"])
        project.extraEnvironment["PATH"] = [standIn.bin, pathAfter].compactMap { $0 }.joined(separator: ":")
        return project
    }

    /// What devctl names as the compose file: the project root's real path.
    static func composeFile(_ project: TestProject) -> String {
        project.canonicalRoot + "/compose.yml"
    }

    /// The text between the `[4/5]` and `[5/5]` headings of a stop.
    static func phase4(_ result: RunResult) -> String {
        result.stdout.components(separatedBy: "[4/5]").dropFirst().first?.components(separatedBy: "[5/5]").first ?? ""
    }

    static let daemonDown = #"""
        "version "*) echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 1 ;;
        """#

    @Test(arguments: [([], "3"), (["--force"], "0"), (["--timeout", "7"], "7"), (["--timeout", "0.2"], "1")])
    func stopRunsComposeDownWithTheNormalizedProjectTheFileAndTheTimeout(flags: [String], timeout: String) throws {
        let standIn = try StandInDocker()
        let project = Self.project(standIn)
        defer { project.cleanUp() }
        try #require(project.devctl("start", "--no-containers").exitCode == 0)

        let result = project.devctl(arguments: ["stop"] + flags)
        #expect(result.exitCode == 0, "\(result)")
        #expect(standIn.calls.filter { $0.contains(" -p ") } == ["docker compose -p my-shop -f \(Self.composeFile(project)) down --timeout \(timeout)"])
        #expect(Self.phase4(result).contains("down: docker compose v2.27.0: removed 2 containers: shop-db-1, shop-web-1"), "\(result)")
    }

    @Test func unreachableDaemonIsSkippedAndStopStillEndsTheProcesses() throws {
        let standIn = try StandInDocker(docker: Self.daemonDown)
        let project = Self.project(standIn)
        defer { project.cleanUp() }
        let unreachable = "skipped (docker daemon unreachable (Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?))"
        let start = project.devctl("start")
        #expect(start.exitCode == 0, "\(start)")
        #expect(start.stdout.contains("containers: \(unreachable)"), "\(start)")
        let pids = project.trackedPIDs
        try #require(pids.count == 2)

        let result = project.devctl("stop")
        #expect(result.exitCode == 0, "\(result)")
        #expect(Self.phase4(result).contains("Containers — \(unreachable)"), "\(result)")
        for pid in pids.values { #expect(!KernelProcessEntry.isAlive(pid)) }
        #expect(!standIn.calls.contains { $0.contains(" -p ") }, "compose itself is never run")
    }

    @Test func composeFailureIsReportedWithItsLastStderrLineAndFailsTheCommand() throws {
        let standIn = try StandInDocker(docker: #"""
            "compose -p "*) echo ' Container shop-web-1  Stopping' >&2; echo 'network shop_default has active endpoints' >&2; exit 1 ;;
            """#)
        let project = Self.project(standIn)
        defer { project.cleanUp() }
        let failure = "docker compose v2.27.0 failed: network shop_default has active endpoints"

        let start = project.devctl("start")
        #expect(start.exitCode == 1, "\(start)")
        #expect(start.stdout.contains("containers: \(failure)"), "\(start)")
        #expect(project.trackedPIDs.isEmpty, "no process service starts when the containers did not come up")

        try #require(project.devctl("start", "--no-containers").exitCode == 0)
        let pids = project.trackedPIDs
        let containersOnly = project.devctl("stop", "--containers")
        #expect(containersOnly.exitCode == 1, "\(containersOnly)")
        #expect(containersOnly.stdout.contains("containers: \(failure)"), "\(containersOnly)")
        #expect(project.trackedPIDs == pids && pids.values.allSatisfy(KernelProcessEntry.isAlive))

        let full = project.devctl("stop")
        #expect(full.exitCode == 1, "\(full)")
        #expect(Self.phase4(full).contains("down: \(failure)"), "\(full)")
        for pid in pids.values { #expect(!KernelProcessEntry.isAlive(pid), "the processes are stopped all the same") }
    }

    @Test func withoutDockerOnPathContainersAreSkippedAsNotInstalled() throws {
        let standIn = try StandInDocker(docker: nil)
        let project = Self.project(standIn, pathAfter: nil)
        defer { project.cleanUp() }
        let start = project.devctl("start")
        #expect(start.exitCode == 0, "\(start)")
        #expect(start.stdout.contains("containers: skipped (docker not installed)"), "\(start)")
        let pids = project.trackedPIDs
        try #require(pids.count == 2)

        let result = project.devctl("stop")
        #expect(result.exitCode == 0, "\(result)")
        #expect(Self.phase4(result).contains("Containers — skipped (docker not installed)"), "\(result)")
        for pid in pids.values { #expect(!KernelProcessEntry.isAlive(pid)) }
    }

    @Test func stoppingNamedServicesNeverCallsDocker() throws {
        let standIn = try StandInDocker()
        let project = Self.project(standIn)
        defer { project.cleanUp() }
        try #require(project.devctl("start", "--no-containers").exitCode == 0)

        let result = project.devctl("stop", "api")
        #expect(result.exitCode == 0, "\(result)")
        #expect(standIn.calls == [])
        #expect(Self.phase4(result).contains("stopping named services only"), "\(result)")
    }

    @Test func startWithNoContainersNeverCallsDocker() throws {
        let standIn = try StandInDocker()
        let project = Self.project(standIn)
        defer { project.cleanUp() }

        let result = project.devctl("start", "--no-containers")
        #expect(result.exitCode == 0, "\(result)")
        #expect(project.trackedPIDs.count == 2)
        #expect(standIn.calls == [])
    }
}
