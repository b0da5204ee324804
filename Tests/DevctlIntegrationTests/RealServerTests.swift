import DevctlTestSupport
import Foundation
import Testing

/// Real servers, as a new user would run them: postgres, redis-server and nginx with workers,
/// started, inspected, restarted, paused and stopped by devctl running as an ordinary user —
/// in the foreground and daemonizing themselves, with cgroup containment (inside a delegated
/// cgroup) and with sessions. They rewrite their process titles and, daemonizing, leave the
/// session devctl gave them. A daemonizing server is followed only through its cgroup.
/// `.ci/run` installs the servers and sets DEVCTL_REQUIRE_SERVERS=1, so there they never skip.
@Suite(.serialized, .enabled(if: geteuid() == 0 && (ServerStack.isInstalled || ServerStack.isRequired),
                             "needs root and redis-server, nginx-light and postgresql"))
struct RealServerTests {
    static let cases: [(ServerStack.Form, String)] = [(.foreground, "cgroup"), (.daemonizing, "cgroup"), (.foreground, "session")]

    @Test(arguments: cases)
    func aRealStackStartsRestartsPausesAndStopsWithNothingLeft(form: ServerStack.Form, containment: String) throws {
        try #require(ServerStack.isInstalled, "the servers are not installed")
        let user = try TestUser.named("devctl-servers")
        let stack = try ServerStack(form: form, containment: containment, user: user)
        let project = stack.project
        defer { project.cleanUp() }
        let cgroup = containment == "cgroup" ? try user.delegatedCgroup(named: "devctl-servers-" + project.testID) : nil
        defer { if let cgroup { TestCgroups.remove(cgroup) } }
        func devctl(_ arguments: String...) -> RunResult { user.devctl(arguments, project: project, inCgroup: cgroup) }

        let start = devctl("start")
        try #require(start.exitCode == 0, "\(start)")
        let (status, services) = try Self.statusJSON(devctl("status", "--json"))
        #expect(status.exitCode == 0, "\(status)")
        for name in ["pg", "redis", "nginx"] { #expect(services[name]?["state"] as? String == "running", "\(name): \(status)") }
        #expect((services["pg"]?["processes"] as? Int ?? 0) >= 5, "postgres and its workers: \(status)")
        #expect(services["redis"]?["processes"] as? Int == 1, "\(status)")
        #expect(services["nginx"]?["processes"] as? Int == 3, "a master and two workers: \(status)")

        for name in ["redis", "nginx"] {
            let restart = devctl("restart", name)
            #expect(restart.exitCode == 0, "\(restart)")
        }
        #expect(TestProcesses.waitUntil { stack.processes(named: "redis-server").count == 1 },
                "one redis after the restart: \(stack.processes(named: "redis-server").map(\.commandLine))")
        #expect(TestProcesses.waitUntil { stack.processes(named: "nginx").count == 3 },
                "one nginx after the restart: \(stack.processes(named: "nginx").map(\.commandLine))")

        let pause = devctl("pause", "redis")
        #expect(pause.exitCode == 0, "\(pause)")
        let resume = devctl("resume", "redis")
        #expect(resume.exitCode == 0, "\(resume)")

        let stop = devctl("stop")
        #expect(stop.exitCode == 0, "\(stop)")
        #expect(TestProcesses.waitUntil { user.processes.isEmpty }, "survivors: \(user.processes.map(\.commandLine))")
        #expect(stack.portsAreFree, "a port is still taken")
        #expect(stack.postgresLog.contains("database system is shut down"), "postgres did not shut down cleanly:\n\(stack.postgresLog.suffix(600))")
        if let cgroup {
            let left = (try? FileManager.default.contentsOfDirectory(atPath: cgroup))?.filter { $0.hasPrefix("devctl-") } ?? []
            #expect(left.isEmpty, "cgroups left: \(left)")
        }
    }

    static func statusJSON(_ result: RunResult) throws -> (RunResult, [String: [String: Any]]) {
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        var services = [String: [String: Any]]()
        for service in json?["services"] as? [[String: Any]] ?? [] {
            if let name = service["name"] as? String { services[name] = service }
        }
        return (result, services)
    }
}
