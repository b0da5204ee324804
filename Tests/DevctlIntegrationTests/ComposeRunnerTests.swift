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

/// Against a stand-in `docker`: the words devctl types and how it reads each kind of answer.
@Suite struct ComposeRunnerTests {
    func project(_ standIn: StandInDocker, name: String = "shop") -> ComposeProject {
        ComposeProject(name: name, file: "\(standIn.folder)/compose.yml", workingDirectory: standIn.folder)
    }

    @Test func downPassesNormalizedProjectFileAndTimeoutExactly() throws {
        let standIn = try StandInDocker()
        let name = ComposeRunner.normalizedProjectName("My.Shop")
        let outcome = ComposeRunner(environment: standIn.environment).down(project(standIn, name: name), timeout: 3)
        #expect(standIn.calls.contains("docker compose -p my-shop -f \(standIn.folder)/compose.yml down --timeout 3"))
        #expect(outcome == .succeeded(frontEnd: "docker compose v2.27.0", containers: ["shop-db-1", "shop-web-1"], detail: "removed 2 containers"))
    }

    @Test func unreachableDaemonIsSkippedWithDockersOwnWords() throws {
        let standIn = try StandInDocker(docker: #"""
            "version "*) echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 1 ;;
            """#)
        let runner = ComposeRunner(environment: standIn.environment)
        let skipped = ComposeOutcome.skipped("docker daemon unreachable (Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?)")
        #expect(runner.down(project(standIn), timeout: 3) == skipped)
        #expect(runner.up(project(standIn), waitTimeout: 5) == skipped)
        #expect(runner.containers(project(standIn)) == .failure(skipped))
        #expect(!standIn.calls.contains { $0.contains(" -p ") }, "compose itself is never run")
    }

    @Test func hungDaemonIsSkippedWithinTheProbeTimeout() throws {
        let standIn = try StandInDocker(docker: #"""
            "version "*) /bin/sleep 60 ;;
            """#)
        let started = ContinuousClock.now
        let outcome = ComposeRunner(environment: standIn.environment).down(project(standIn), timeout: 3)
        #expect(outcome == .skipped("docker daemon unreachable (no answer within 5 s)"))
        #expect(ContinuousClock.now - started < .seconds(7))
    }

    @Test func composeFailureReportsItsLastStderrLine() throws {
        let standIn = try StandInDocker(docker: #"""
            "compose -p "*) echo ' Container shop-web-1  Stopping' >&2; echo 'network shop_default has active endpoints' >&2; exit 1 ;;
            """#)
        let outcome = ComposeRunner(environment: standIn.environment).down(project(standIn), timeout: 3)
        #expect(outcome == .failed(frontEnd: "docker compose v2.27.0", detail: "network shop_default has active endpoints"))
    }

    @Test func composeV1FailureReportsItsErrorLineRatherThanTheSummary() throws {
        let standIn = try StandInDocker(docker: #"""
            "compose -p "*) echo 'ERROR: for web  Cannot start service web: port is already allocated' >&2; echo 'Encountered errors while bringing up the project.' >&2; exit 1 ;;
            """#)
        let outcome = ComposeRunner(environment: standIn.environment).up(project(standIn), waitTimeout: 5)
        #expect(outcome == .failed(frontEnd: "docker compose v2.27.0", detail: "ERROR: for web  Cannot start service web: port is already allocated"))
    }

    @Test func noDockerOnPathIsSkippedAsNotInstalled() throws {
        let standIn = try StandInDocker(docker: nil, dockerCompose: "*) ;;")
        let runner = ComposeRunner(environment: standIn.environment)
        #expect(runner.down(project(standIn), timeout: 3) == .skipped("docker not installed"))
        #expect(runner.up(project(standIn), waitTimeout: 5) == .skipped("docker not installed"))
        #expect(runner.containers(project(standIn)) == .failure(.skipped("docker not installed")))
    }

    @Test func fallsBackToDockerComposeV1WhenThePluginIsMissing() throws {
        let standIn = try StandInDocker(
            docker: #"""
                "compose "*) echo "docker: 'compose' is not a docker command." >&2; exit 1 ;;
                """#,
            dockerCompose: #"""
                "version --short") echo 1.29.2 ;;
                "-p "*) ;;
                *) exit 99 ;;
                """#)
        let outcome = ComposeRunner(environment: standIn.environment).down(project(standIn), timeout: 0)
        #expect(standIn.calls.contains("docker-compose -p shop -f \(standIn.folder)/compose.yml down --timeout 0"))
        #expect(outcome == .succeeded(frontEnd: "docker-compose 1.29.2", containers: ["shop-db-1", "shop-web-1"], detail: "removed 2 containers"))
    }

    /// Compose v1 is a Python: on a busy machine its `version` took longer than the daemon probe's
    /// 5 s, and phase 4 was skipped as "not installed" with the containers left running.
    @Test func composeV1SlowToSayItsVersionIsStillUsed() throws {
        let standIn = try StandInDocker(
            docker: #"""
                "compose "*) exit 1 ;;
                """#,
            dockerCompose: #"""
                "version --short") /bin/sleep 5.5; echo 1.29.2 ;;
                "-p "*) ;;
                *) exit 99 ;;
                """#)
        let outcome = ComposeRunner(environment: standIn.environment).down(project(standIn), timeout: 3)
        #expect(outcome == .succeeded(frontEnd: "docker-compose 1.29.2", containers: ["shop-db-1", "shop-web-1"], detail: "removed 2 containers"))
    }

    @Test func noComposeFrontEndIsSkipped() throws {
        let standIn = try StandInDocker(docker: #"""
            "compose "*) exit 1 ;;
            """#)
        let outcome = ComposeRunner(environment: standIn.environment).down(project(standIn), timeout: 3)
        #expect(outcome == .skipped("docker compose not installed (neither 'docker compose' nor 'docker-compose' works)"))
    }

    @Test func containersReadsServiceNameStateAndHealthByTheProjectLabel() throws {
        let standIn = try StandInDocker(docker: #"""
            "ps --all --filter label=com.docker.compose.project=shop --format "*)
                printf 'worker\tshop-worker-1\texited\tExited (0) 3 seconds ago\n'
                printf 'db\tshop-db-1\trunning\tUp 1 second (health: starting)\n'
                printf 'web\tshop-web-1\trunning\tUp 5 minutes (unhealthy)\n'
                printf 'cache\tshop-cache-1\trunning\tUp 5 minutes (healthy)\n' ;;
            """#)
        let containers = try ComposeRunner(environment: standIn.environment).containers(project(standIn)).get()
        #expect(containers == [
            ContainerState(service: "cache", name: "shop-cache-1", state: "running", health: "healthy"),
            ContainerState(service: "db", name: "shop-db-1", state: "running", health: "starting"),
            ContainerState(service: "web", name: "shop-web-1", state: "running", health: "unhealthy"),
            ContainerState(service: "worker", name: "shop-worker-1", state: "exited", health: nil),
        ])
    }

    @Test func upRunsUpDetachedAndSucceedsOnceEveryContainerIsReady() throws {
        let standIn = try StandInDocker()
        let outcome = ComposeRunner(environment: standIn.environment).up(project(standIn), waitTimeout: 5)
        #expect(standIn.calls.contains("docker compose -p shop -f \(standIn.folder)/compose.yml up -d"))
        #expect(outcome == .succeeded(frontEnd: "docker compose v2.27.0", containers: ["shop-db-1", "shop-web-1"], detail: "2 containers running, 1 healthy"))
    }

    @Test func upFailsNamingAContainerThatExited() throws {
        let standIn = try StandInDocker(docker: #"""
            "ps "*) printf 'db\tshop-db-1\texited\tExited (3) 1 second ago\n' ;;
            """#)
        let outcome = ComposeRunner(environment: standIn.environment).up(project(standIn), waitTimeout: 5)
        #expect(outcome == .failed(frontEnd: "docker compose v2.27.0", detail: "container 'shop-db-1' exited with status 3"))
    }

    @Test func upFailsNamingAContainerStillStartingWhenTheWaitEnds() throws {
        let standIn = try StandInDocker(docker: #"""
            "ps "*) printf 'db\tshop-db-1\trunning\tUp 1 second (health: starting)\n' ;;
            """#)
        let outcome = ComposeRunner(environment: standIn.environment).up(project(standIn), waitTimeout: 0.5)
        #expect(outcome == .failed(frontEnd: "docker compose v2.27.0", detail: "timed out after 0.5 s waiting for 'shop-db-1' (starting)"))
    }

    @Test(arguments: [
        ("shop", "shop"), ("My.Shop", "my-shop"), ("_api.v2", "api-v2"), ("--x", "x"), ("café bar", "caf--bar"), ("...", "devctl"),
    ])
    func normalizedProjectNameIsWhatComposeAccepts(project: String, expected: String) {
        #expect(ComposeRunner.normalizedProjectName(project) == expected)
    }
}
