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

/// Against a real Docker engine of the test run's own: containers really up after `up`, really
/// gone after `down`, and nobody else's touched. One test at a time: every compose v1 call starts a
/// Python, and several at once starve a 2-core machine.
@Suite(.privateDockerEngine, .serialized) struct ComposeEngineTests {
    /// A compose project in a folder of its own under the engine's, named after the test.
    func project(_ engine: PrivateDockerEngine, _ name: String, compose: String) throws -> ComposeProject {
        let folder = "\(engine.root)/projects/\(name)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try compose.write(toFile: "\(folder)/compose.yml", atomically: true, encoding: .utf8)
        return ComposeProject(name: name, file: "\(folder)/compose.yml", workingDirectory: folder)
    }

    @Test func upWaitsUntilEveryContainerRunsAndIsHealthy() throws {
        let engine = try PrivateDockerEngine.required()
        let runner = ComposeRunner(environment: engine.environment)
        let project = try project(engine, "devctl-up", compose: ComposeFixtures.webAndDatabase)
        defer { _ = runner.down(project, timeout: 0) }

        let outcome = runner.up(project, waitTimeout: 60)
        guard case .succeeded(_, let containers, let detail) = outcome else {
            Issue.record("up: \(outcome)")
            return
        }
        #expect(try containers.sorted() == engine.containerNames(project: project.name))
        #expect(containers.count == 2)
        #expect(detail == "2 containers running, 1 healthy")
        let states = try runner.containers(project).get()
        #expect(states.map(\.service) == ["db", "web"])
        #expect(states.allSatisfy { $0.state == "running" })
        #expect(states.map(\.health) == ["healthy", nil])
    }

    @Test func containersListsTheProjectsContainersWithStateAndHealth() throws {
        let engine = try PrivateDockerEngine.required()
        let runner = ComposeRunner(environment: engine.environment)
        let project = try project(engine, "devctl-containers", compose: ComposeFixtures.gatedDatabase)
        defer { _ = runner.down(project, timeout: 0) }
        #expect(try runner.containers(project).get() == [])

        let up = try engine.commands.run(engine.frontEnd.command + ["-p", project.name, "-f", project.file, "up", "-d"], workingDirectory: project.workingDirectory, timeout: 60)
        try #require(up.succeeded, "\(up.stderr)")
        let starting = try runner.containers(project).get()
        #expect(try starting.map(\.name) == engine.containerNames(project: project.name))
        #expect(starting.map(\.service) == ["db", "web"] && starting.allSatisfy { $0.state == "running" })
        #expect(starting.map(\.health) == ["starting", nil])

        try engine.docker(["exec", starting[0].name, "touch", "/tmp/ready"])
        let deadline = ContinuousClock.now + .seconds(30)
        while try runner.containers(project).get()[0].health == "starting", ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(try runner.containers(project).get().map(\.health) == ["healthy", nil])
    }

    @Test func downRemovesEveryContainerOfTheProject() throws {
        let engine = try PrivateDockerEngine.required()
        let runner = ComposeRunner(environment: engine.environment)
        let project = try project(engine, "devctl-down", compose: ComposeFixtures.webAndDatabase)
        guard case .succeeded(_, let started, _) = runner.up(project, waitTimeout: 60) else {
            Issue.record("up failed")
            return
        }

        let outcome = runner.down(project, timeout: 3)
        guard case .succeeded(_, let removed, let detail) = outcome else {
            Issue.record("down: \(outcome)")
            return
        }
        #expect(removed.sorted() == started.sorted() && detail == "removed 2 containers")
        #expect(try engine.containerNames(project: project.name) == [])
    }

    @Test func downEndsAContainerIgnoringSIGTERMWithinItsTimeout() throws {
        let engine = try PrivateDockerEngine.required()
        let runner = ComposeRunner(environment: engine.environment)
        let project = try project(engine, "devctl-stubborn", compose: ComposeFixtures.stubborn)
        defer { _ = runner.down(project, timeout: 0) }
        guard case .succeeded = runner.up(project, waitTimeout: 60) else {
            Issue.record("up failed")
            return
        }

        let started = ContinuousClock.now
        let outcome = runner.down(project, timeout: 1)
        let took = ContinuousClock.now - started
        guard case .succeeded(_, let removed, _) = outcome else {
            Issue.record("down: \(outcome)")
            return
        }
        #expect(removed.count == 1)
        #expect(try engine.containerNames(project: project.name) == [])
        // 1 s of grace, then SIGKILL; compose's start-up (and a loaded machine) take the rest. Had
        // the file's 60 s grace applied, this would take a minute.
        #expect(took < .seconds(20), "down took \(took)")
    }

    @Test func downLeavesAnotherProjectsContainersRunning() throws {
        let engine = try PrivateDockerEngine.required()
        let runner = ComposeRunner(environment: engine.environment)
        let ours = try project(engine, "devctl-ours", compose: ComposeFixtures.webAndDatabase)
        let theirs = try project(engine, "devctl-theirs", compose: ComposeFixtures.webAndDatabase)
        defer { _ = runner.down(theirs, timeout: 0) }
        for project in [ours, theirs] {
            guard case .succeeded = runner.up(project, waitTimeout: 60) else {
                Issue.record("up of \(project.name) failed")
                return
            }
        }

        guard case .succeeded = runner.down(ours, timeout: 3) else {
            Issue.record("down failed")
            return
        }
        #expect(try engine.containerNames(project: ours.name) == [])
        let survivors = try runner.containers(theirs).get()
        #expect(survivors.count == 2 && survivors.allSatisfy { $0.state == "running" })
    }

    @Test func upFailsNamingAContainerThatExits() throws {
        let engine = try PrivateDockerEngine.required()
        let runner = ComposeRunner(environment: engine.environment)
        let project = try project(engine, "devctl-exits", compose: """
            services:
              migrate:
                image: \(PrivateDockerEngine.image)
                command: ["sh", "-c", "exit 3"]
                network_mode: none
            """)
        defer { _ = runner.down(project, timeout: 0) }

        guard case .failed(_, let detail) = runner.up(project, waitTimeout: 60) else {
            Issue.record("up did not fail")
            return
        }
        #expect(detail.hasPrefix("container '") && detail.hasSuffix("' exited with status 3"))
        #expect(detail.contains("migrate"))
    }

    /// What a client finds when no daemon runs (a stopped dockerd removes its socket). The
    /// devctl-level test of a daemon stopped between start and stop stops a real one.
    @Test func missingDaemonIsSkippedQuicklyAsUnreachable() throws {
        let engine = try PrivateDockerEngine.required()
        var environment = engine.environment
        environment["DOCKER_HOST"] = "unix://\(engine.root)/no-daemon.sock"
        let runner = ComposeRunner(environment: environment)
        let project = ComposeProject(name: "devctl-gone", file: "/nonexistent/compose.yml", workingDirectory: "/")

        let started = ContinuousClock.now
        // Timeouts far above the bound: a skip that waited for either would show.
        let outcomes = [runner.down(project, timeout: 30), runner.up(project, waitTimeout: 60)]
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < .seconds(10), "\(elapsed)")
        for outcome in outcomes {
            guard case .skipped(let reason) = outcome else {
                Issue.record("not skipped: \(outcome)")
                continue
            }
            #expect(reason.hasPrefix("docker daemon unreachable (") && reason.contains(environment["DOCKER_HOST"]!))
        }
        #expect(runner.containers(project) == .failure(outcomes[0]))
    }
}
