import Foundation
import Testing
@testable import DevctlCLI
@testable import DevctlConfig
@testable import DevctlLifecycle
@testable import DevctlProcesses
@testable import DevctlSystem
@testable import DevctlText
@testable import DevctlTracking

/// Reading Procfiles as foreman writes them, and the services.json `init` makes of them.
@Suite struct ProcfileTests {
    @Test func readsNameCommandLinesAndSkipsCommentsAndBlankLines() throws {
        let procfile = try Procfile.parse("""
            # the web tier
            web: bundle exec rails server -b 127.0.0.1:3000

            worker:   bundle exec sidekiq\r
              # indented comment
            """)
        #expect(procfile.entries.map(\.name) == ["web", "worker"])
        #expect(procfile.entries.map(\.command) == ["bundle exec rails server -b 127.0.0.1:3000", "bundle exec sidekiq"])
        #expect(procfile.entries.map(\.line) == [2, 4])
    }

    @Test func namesAreSanitizedAndKeptUnique() throws {
        let procfile = try Procfile.parse("web.1: a\nweb-1: b\nwëb 1: c\nweb_ok: d\n")
        #expect(procfile.entries.map(\.name) == ["web-1", "web-1-2", "w-b-1", "web_ok"])
        #expect(procfile.entries.map(\.originalName) == ["web.1", "web-1", "wëb 1", "web_ok"])
    }

    /// `éé` used to become the service `--`, and `devctl stop --` then stopped every service.
    @Test func namesThatWouldStartWithADashLoseItAndNamesLeftEmptyAreGenerated() throws {
        let procfile = try Procfile.parse("éé: a\n--: b\n-web: c\nüx: d\nservice: e\n")
        #expect(procfile.entries.map(\.name) == ["service", "service-2", "web", "x", "service-3"])
        #expect(procfile.entries.allSatisfy { NameRule.isValid($0.name) })
    }

    @Test func everyUnreadableLineIsReported() {
        #expect(throws: ProcfileError(problems: [
            "line 1: expected 'name: command', got 'just words'",
            "line 3: expected 'name: command', got ': no name'",
            "line 4: expected 'name: command', got 'no-command:'",
        ])) {
            try Procfile.parse("just words\nweb: ok\n: no name\nno-command:\n")
        }
        #expect(throws: ProcfileError(problems: ["no 'name: command' line found"])) {
            try Procfile.parse("# only a comment\n\n")
        }
    }

    @Test func commandsThatNamePortAreToldApart() {
        #expect(ServicesTemplate.usesPort("python3 -m http.server $PORT"))
        #expect(ServicesTemplate.usesPort("serve --port=${PORT}"))
        #expect(ServicesTemplate.usesPort("serve --port ${PORT:-8000}"))
        #expect(!ServicesTemplate.usesPort("echo $PORTAL $HOME"))
        #expect(!ServicesTemplate.usesPort("sleep 300"))
    }

    @Test func servicesJsonMadeFromAProcfileValidatesAndKeepsTheCommands() throws {
        let fixture = ConfigFixture()
        fixture.write(".env", "A=1\n")
        let procfile = try Procfile.parse("web: python3 -m http.server $PORT\nworker.1: echo \"quoted \\\\ text\"; sleep 300\n")
        let text = ServicesTemplate.render(project: "shop", services: ServicesTemplate.services(from: procfile, envFile: ".env"))
        fixture.write("services.json", text)
        let config = try ConfigLoader.load(file: fixture.file)
        #expect(config.project == "shop")
        #expect(config.services.map(\.name) == ["web", "worker-1"])
        #expect(config.services.map(\.command) == [.shell("python3 -m http.server $PORT"),
                                                   .shell("echo \"quoted \\\\ text\"; sleep 300")])
        #expect(config.services[0].environment == ["A": "1", "PORT": "5000"])
        #expect(config.services[1].environment == ["A": "1", "PORT": "5100"])
        #expect(config.services.allSatisfy { $0.envFile == fixture.root + "/.env" })
    }

    /// foreman and honcho give every process a PORT — 5000, 5100, 5200, … by line — not only the
    /// ones whose command line names it: gunicorn, puma and node apps read it from the environment.
    @Test func everyServiceGetsThePortForemanGivesItsLine() throws {
        let procfile = try Procfile.parse("""
            web: python3 -m http.server $PORT
            api: gunicorn app:app
            # a comment takes no port
            assets: serve --port=${PORT}
            worker: bundle exec sidekiq
            """)
        let services = ServicesTemplate.services(from: procfile, envFile: nil)
        let fixture = ConfigFixture()
        fixture.write("services.json", ServicesTemplate.render(project: "shop", services: services))
        let config = try ConfigLoader.load(file: fixture.file)
        #expect(config.services.map(\.name) == ["web", "api", "assets", "worker"])
        #expect(config.services.map { $0.environment["PORT"] } == ["5000", "5100", "5200", "5300"])
    }

    /// A command that names `$PORT` is expected to listen there: `start` waits for the port, and
    /// refuses early when something else holds it. One that does not name it gets no check.
    @Test func commandsThatUsePortGetATcpHealthCheckOnIt() throws {
        let procfile = try Procfile.parse("web: python3 -m http.server $PORT\napi: gunicorn app:app\nassets: serve --port=${PORT}\n")
        let fixture = ConfigFixture()
        fixture.write("services.json", ServicesTemplate.render(project: "shop", services: ServicesTemplate.services(from: procfile, envFile: nil)))
        let config = try ConfigLoader.load(file: fixture.file)
        #expect(config.services.map(\.healthcheck?.kind) == [.tcp(port: 5000), nil, .tcp(port: 5200)])
    }

    @Test func starterValidates() throws {
        let fixture = ConfigFixture(folderName: "my app")
        fixture.write("services.json", ServicesTemplate.starter(project: ServicesTemplate.projectName(forFolder: fixture.root), envFile: nil))
        let config = try ConfigLoader.load(file: fixture.file)
        #expect(config.project == "my-app")
        #expect(config.services.map(\.name) == ["web", "worker"])
        #expect(config.services[1].dependsOn == ["web"])
    }
}
