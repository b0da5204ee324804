import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlSystem
import DevctlText
import DevctlTracking
import DevctlTestSupport
import Foundation
import Testing

/// The built devctl against a real Docker engine of the test run's own (SPEC §3, §4 phase 4):
/// the containers are up and healthy before the process services start, `status` shows them, and
/// `stop` really removes them — this project's only, with the project's stopTimeout as their
/// grace — as a user would check with `docker ps -a`. One engine for the suite and one test at a
/// time: every compose v1 call starts a Python, and several at once starve a 2-core machine.
@Suite(.privateDockerEngine, .serialized) struct ContainerTests {
    /// A project on `engine` whose compose file is `compose` and whose one process service, `api`,
    /// writes down what docker says about the project's containers the moment it starts
    /// (`SERVICE STATUS` lines in `containers-at-start.txt`).
    static func project(on engine: PrivateDockerEngine, compose: String = ComposeFixtures.webAndDatabase,
                        stopTimeout: Double = 1) throws -> (project: TestProject, name: String) {
        let name = "devctl-ctr-" + UUID().uuidString.prefix(8).lowercased()
        let record = "docker ps --all --filter label=com.docker.compose.project=\(name)"
            + #" --format '{{.Label "com.docker.compose.service"}} {{.Status}}' > containers-at-start.txt; exec sleep 300"#
        let config: [String: Any] = [
            "project": name, "stopTimeout": stopTimeout,
            "services": [["name": "api", "command": ["sh", "-c", record]]],
        ]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: config), as: UTF8.self)
        let project = TestProject(json, files: ["compose.yml": compose])
        project.extraEnvironment["DOCKER_HOST"] = engine.dockerHost
        return (project, name)
    }

    /// `docker ps` of the project's containers that are running, by name.
    static func running(_ engine: PrivateDockerEngine, _ name: String) throws -> [String] {
        try engine.docker(["ps", "--filter", "label=com.docker.compose.project=\(name)", "--filter", "status=running", "--format", "{{.Names}}"])
            .stdout.split(whereSeparator: \.isNewline).map(String.init).sorted()
    }

    /// The lines of `text` with a column that is exactly `column` and that say each of `words`.
    static func rows(_ text: String, naming column: String, saying words: String...) -> [Substring] {
        text.split(separator: "\n").filter { row in
            row.split(separator: " ").contains(Substring(column)) && words.allSatisfy { row.contains($0) }
        }
    }

    @Test func startBringsTheContainersUpHealthyBeforeTheProcessServices() throws {
        let engine = try PrivateDockerEngine.required()
        let (project, name) = try Self.project(on: engine)
        defer { project.cleanUp() }

        let result = project.devctl("start")
        #expect(result.exitCode == 0, "\(result)")
        let containersUp = try #require(result.stdout.range(of: "containers: \(engine.frontEnd): 2 containers running, 1 healthy"), "\(result)")
        let apiSpawned = try #require(result.stdout.range(of: "api spawned"), "\(result)")
        #expect(containersUp.lowerBound < apiSpawned.lowerBound, "\(result)")

        // What docker said as api began: both containers up, the database already healthy.
        TestProcesses.waitUntil { project.read("containers-at-start.txt")?.split(separator: "\n").count == 2 }
        let seen = (project.read("containers-at-start.txt") ?? "").split(separator: "\n").sorted()
        #expect(seen.count == 2 && seen.allSatisfy { $0.contains(" Up ") }, "\(seen)")
        #expect(seen.first?.hasPrefix("db ") == true && seen.first?.hasSuffix("(healthy)") == true, "\(seen)")

        // The summary ends with each container and its state.
        let containers = try engine.containerNames(project: name)
        #expect(containers.count == 2)
        let summary = try #require(result.stdout.components(separatedBy: "CONTAINER ").dropFirst().last, "no container table: \(result)")
        for container in containers {
            #expect(Self.rows(summary, naming: container, saying: "running").count == 1, "\(container): \(result)")
        }
    }

    @Test func statusShowsTheContainersRunning() throws {
        let engine = try PrivateDockerEngine.required()
        let (project, name) = try Self.project(on: engine)
        defer { project.cleanUp() }
        let start = project.devctl("start")
        try #require(start.exitCode == 0, "\(start)")
        let containers = try engine.containerNames(project: name)
        try #require(containers.count == 2)

        let table = project.devctl("status")
        #expect(table.exitCode == 0, "\(table)")
        #expect(table.stdout.contains("CONTAINER"), "\(table)")
        for container in containers {
            #expect(Self.rows(table.stdout, naming: container, saying: "running").count == 1, "\(container): \(table)")
        }
        #expect(Self.rows(table.stdout, naming: "db", saying: "running", "healthy").count == 1, "\(table)")

        let json = project.devctl("status", "--json")
        #expect(json.exitCode == 0, "\(json)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json)")
        let listed = try #require(document["containers"] as? [[String: Any]], "\(json)")
        #expect(listed.compactMap { $0["name"] as? String }.sorted() == containers)
        #expect(listed.compactMap { $0["service"] as? String } == ["db", "web"])
        #expect(listed.allSatisfy { $0["state"] as? String == "running" }, "\(json)")
        #expect(listed.first?["health"] as? String == "healthy" && listed.last?["health"] is NSNull, "\(json)")
    }

    @Test func stopLeavesNoContainerAndNoProcessOfTheProject() throws {
        let engine = try PrivateDockerEngine.required()
        let (project, name) = try Self.project(on: engine)
        defer { project.cleanUp() }
        let start = project.devctl("start")
        try #require(start.exitCode == 0, "\(start)")
        let api = try #require(project.trackedPIDs["api"])
        let containers = try engine.containerNames(project: name)
        try #require(containers.count == 2)

        let result = project.devctl("stop")
        #expect(result.exitCode == 0, "\(result)")
        #expect(try engine.containerNames(project: name) == [], "docker ps -a still lists the project's containers")
        #expect(!KernelProcessEntry.isAlive(api))
        #expect(project.markedProcesses.isEmpty, "processes left: \(project.markedProcesses)")
        #expect(result.stdout.contains("removed 2 containers: \(containers.joined(separator: ", "))"), "\(result)")
    }

    @Test func stopContainersRemovesTheContainersAndLeavesProcessesAndTrackingAlone() throws {
        let engine = try PrivateDockerEngine.required()
        let (project, name) = try Self.project(on: engine)
        defer { project.cleanUp() }
        let start = project.devctl("start")
        try #require(start.exitCode == 0, "\(start)")
        let tracked = project.trackedPIDs
        try #require(tracked.count == 1)

        let result = project.devctl("stop", "--containers")
        #expect(result.exitCode == 0, "\(result)")
        #expect(try engine.containerNames(project: name) == [])
        #expect(project.trackedPIDs == tracked)
        #expect(tracked.values.allSatisfy(KernelProcessEntry.isAlive))
        #expect(!result.stdout.contains("[1/5]"), "only phase 4 runs: \(result)")
    }

    @Test func containerIgnoringSIGTERMIsKilledAfterTheStopTimeoutNotComposesGrace() throws {
        let engine = try PrivateDockerEngine.required()
        let (project, name) = try Self.project(on: engine, compose: ComposeFixtures.stubborn, stopTimeout: 1)
        defer { project.cleanUp() }
        let start = project.devctl("start")
        try #require(start.exitCode == 0, "\(start)")
        let since = String(format: "%.3f", Date().timeIntervalSince1970)

        let result = project.devctl("stop")
        #expect(result.exitCode == 0, "\(result)")
        #expect(try engine.containerNames(project: name) == [])
        // The daemon's own account of the grace, which a loaded machine cannot blur: SIGTERM, then
        // SIGKILL one stopTimeout later, where the file's stop_grace_period would wait 60 s and
        // compose's default 10 s.
        let events = try engine.docker([
            "events", "--since", since, "--until", String(format: "%.3f", Date().timeIntervalSince1970),
            "--filter", "label=com.docker.compose.project=\(name)", "--filter", "event=kill",
            "--format", #"{{index .Actor.Attributes "signal"}} {{.TimeNano}}"#,
        ]).stdout
        let kills = Dictionary(events.split(separator: "\n").compactMap { line -> (String, Double)? in
            let fields = line.split(separator: " ")
            guard fields.count == 2, let nanoseconds = Double(fields[1]) else { return nil }
            return (String(fields[0]), nanoseconds / 1e9)
        }, uniquingKeysWith: { first, _ in first })
        let term = try #require(kills["15"], "no SIGTERM event: \(events)")
        let kill = try #require(kills["9"], "no SIGKILL event: \(events)")
        #expect(kill - term >= 0.9 && kill - term < 5, "SIGKILL came \(kill - term) s after SIGTERM")
        #expect(result.seconds < 30, "stop took \(result.seconds) s")
    }

    @Test func anotherComposeProjectsContainersSurvive() throws {
        let engine = try PrivateDockerEngine.required()
        let (ours, ourName) = try Self.project(on: engine)
        let (theirs, theirName) = try Self.project(on: engine)
        defer { ours.cleanUp(); theirs.cleanUp() }
        for project in [ours, theirs] {
            let start = project.devctl("start")
            try #require(start.exitCode == 0, "\(start)")
        }
        let survivors = try Self.running(engine, theirName)
        try #require(survivors.count == 2)

        let result = ours.devctl("stop")
        #expect(result.exitCode == 0, "\(result)")
        #expect(try engine.containerNames(project: ourName) == [])
        #expect(try Self.running(engine, theirName) == survivors)
        #expect(theirs.trackedPIDs.values.allSatisfy(KernelProcessEntry.isAlive))
    }

    @Test func daemonStoppedBetweenStartAndStopStillStopsTheProcesses() throws {
        let engine = try PrivateDockerEngine.required()
        let (project, _) = try Self.project(on: engine)
        defer { project.cleanUp() }
        let start = project.devctl("start")
        try #require(start.exitCode == 0, "\(start)")
        let api = try #require(project.trackedPIDs["api"])

        engine.stopDaemon()
        // The later tests need the engine back (its containers and image are kept).
        defer { #expect(throws: Never.self) { try engine.startDaemon() } }
        let result = project.devctl("stop")
        #expect(result.exitCode == 0, "\(result)")
        #expect(!KernelProcessEntry.isAlive(api))
        let phase4 = result.stdout.components(separatedBy: "[4/5]").last?.components(separatedBy: "[5/5]").first ?? ""
        #expect(phase4.contains("skipped (docker daemon unreachable ("), "\(result)")
        #expect(phase4.contains(engine.dockerHost), "\(result)")
    }
}
