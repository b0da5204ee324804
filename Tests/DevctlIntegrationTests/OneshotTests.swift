#if canImport(Glibc)
import Glibc
#endif
import DevctlTestSupport
import Foundation
import Testing

/// `oneshot` services (SPEC §1, §5): a task that runs to its end before its dependents start,
/// shown `done`, not run again by the next `start`, and failing the start when it fails.
@Suite struct OneshotTests {
    /// The services of `status --json`, by name.
    static func statusServices(_ project: TestProject) throws -> [String: [String: Any]] {
        let result = project.devctl("status", "--json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result)")
        let services = try #require(json["services"] as? [[String: Any]], "\(result)")
        return Dictionary(uniqueKeysWithValues: services.compactMap { service in (service["name"] as? String).map { ($0, service) } })
    }

    /// The `status` table row of `name`.
    static func row(_ status: RunResult, _ name: String) -> String {
        status.stdout.split(separator: "\n").first { $0.hasPrefix(name + " ") }.map(String.init) ?? ""
    }

    @Test func dependentStartsOnlyAfterTheOneshotExitedZeroAndASecondStartDoesNotRunItAgain() throws {
        // api fails with 7 unless migrate has finished writing its flag: a start that did not wait
        // for migrate's exit could not succeed.
        let project = TestProject(#"""
        {"services": [
          {"name": "migrate", "oneshot": true, "command": "sleep 0.5; echo migrated > migrated.flag"},
          {"name": "api", "dependsOn": ["migrate"], "command": "test -f migrated.flag || exit 7; exec sleep 300"}
        ]}
        """#)
        defer { project.cleanUp() }
        let start = project.devctl("start")
        #expect(start.exitCode == 0, "\(start)")
        let api = try #require(project.trackedPIDs["api"], "\(start)")
        #expect(KernelProcessEntry(pid: api)?.arguments == ["sleep", "300"], "api runs past its check of the flag")
        #expect(project.read("migrated.flag") == "migrated\n")
        // A keeper that will not restart its service leaves within a second of its end.
        #expect(TestProcesses.waitUntil(timeout: 10) {
            !ProjectKeepers.of(project).contains { $0.arguments[1].hasSuffix("/migrate.spec") }
        }, "migrate's keeper outlived it")

        let status = project.devctl("status")
        #expect(status.exitCode == 0, "a done oneshot counts as fine: \(status)")
        #expect(Self.row(status, "migrate").contains("done (exit 0)"), "\(status)")
        #expect(Self.row(status, "api").contains("running"), "\(status)")
        let services = try Self.statusServices(project)
        let migrate = try #require(services["migrate"])
        #expect(migrate["state"] as? String == "done", "\(migrate)")
        #expect((migrate["exit"] as? [String: Any])?["code"] as? Int == 0, "\(migrate)")
        #expect(services["api"]?["state"] as? String == "running")

        let again = project.devctl("start")
        #expect(again.exitCode == 0, "\(again)")
        #expect(again.stdout.contains("migrate already done"), "\(again)")
        #expect(again.stdout.contains("api already running (pid \(api))"), "\(again)")
        let runs = (project.read(".pids/logs/migrate.log") ?? "").split(separator: "\n").filter { $0.contains("==> devctl start migrate") }
        #expect(runs.count == 1, "migrate ran once: \(project.read(".pids/logs/migrate.log") ?? "no log")")
        #expect(project.trackedPIDs["api"] == api)
    }

    @Test func failingOneshotFailsTheStartWithItsStatusAndLastLinesAndItsDependentIsNeverSpawned() throws {
        let project = TestProject(#"""
        {"services": [
          {"name": "migrate", "oneshot": true, "command": "echo applying 0001-users; echo 'error: relation users already exists' >&2; exit 4"},
          {"name": "api", "dependsOn": ["migrate"], "command": "touch api.spawned; exec sleep 300"}
        ]}
        """#)
        defer { project.cleanUp() }
        let start = project.devctl("start")
        #expect(start.exitCode == 1, "\(start)")
        #expect(start.stdout.contains("exited with status 4"), "\(start)")
        #expect(start.stdout.contains("applying 0001-users"), "its last lines are shown: \(start)")
        #expect(start.stdout.contains("error: relation users already exists"), "\(start)")

        #expect(!FileManager.default.fileExists(atPath: project.root + "/api.spawned"), "api was spawned")
        #expect(project.trackedPIDs["api"] == nil, "api is tracked: \(project.read(".pids/services.pids.services") ?? "")")
        #expect(project.markedProcesses.allSatisfy { KernelProcessEntry.environment(of: $0)?["DEVCTL_SERVICE"] != "api" })
        let status = project.devctl("status")
        #expect(status.exitCode == 3, "\(status)")
        #expect(Self.row(status, "migrate").contains("dead (exit 4"), "\(status)")
        let services = try Self.statusServices(project)
        #expect(services["migrate"]?["state"] as? String == "dead", "\(services)")
        #expect(services["api"]?["state"] as? String == "stopped", "\(services)")
        #expect((services["migrate"]?["exit"] as? [String: Any])?["code"] as? Int == 4, "\(services)")
    }
}
