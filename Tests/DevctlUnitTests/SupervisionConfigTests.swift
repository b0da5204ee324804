import Foundation
import Testing
@testable import DevctlCLI
@testable import DevctlConfig
@testable import DevctlLifecycle
@testable import DevctlProcesses
@testable import DevctlSystem
@testable import DevctlText
@testable import DevctlTracking

/// The keys a keeper acts on (SPEC §1, §5): `restart`, `restartDelay`, `maxRestarts`, `oneshot`,
/// and the project's `logMaxSize` and `logKeep`.
@Suite struct SupervisionConfigTests {
    // MARK: Defaults

    @Test func defaultsToNoRestartsAndThreeLogsOfTenMiB() throws {
        let config = try ConfigFixture().load(#"{"services": [{"name": "web", "command": "run"}]}"#)
        #expect(config.logMaxSize == 10)
        #expect(config.logMaxBytes == 10_485_760)
        #expect(config.logKeep == 3)
        let web = try #require(config.services.first)
        #expect(web.restart == .no)
        #expect(web.restartDelay == 1)
        #expect(web.maxRestarts == 10)
        #expect(web.oneshot == false)
    }

    @Test func theInitializerDefaultsMatchTheFileDefaults() throws {
        let fixture = ConfigFixture()
        let loaded = try fixture.load(#"{"services": [{"name": "web", "command": "run"}]}"#)
        #expect(loaded.services[0] == ServiceConfig(name: "web", command: .shell("run"), cwd: fixture.root))
        #expect(loaded == ServicesConfig(project: "project", root: fixture.root, file: fixture.file, services: loaded.services))
    }

    // MARK: Values read

    @Test func readsEveryKey() throws {
        let config = try ConfigFixture().load("""
        {"logMaxSize": 0.5, "logKeep": 0,
         "services": [{"name": "api", "command": "x", "restart": "always", "restartDelay": 0.25, "maxRestarts": 0},
                      {"name": "migrate", "command": "x", "oneshot": true, "restart": "on-failure", "maxRestarts": 1000000}]}
        """)
        #expect(config.logMaxSize == 0.5)
        #expect(config.logMaxBytes == 524_288)
        #expect(config.logKeep == 0)
        #expect(config.services[0].restart == .always)
        #expect(config.services[0].restartDelay == 0.25)
        #expect(config.services[0].maxRestarts == 0)
        #expect(config.services[0].oneshot == false)
        #expect(config.services[1].restart == .onFailure)
        #expect(config.services[1].oneshot == true)
        #expect(config.services[1].maxRestarts == 1_000_000)
    }

    @Test func spellsThePoliciesAsTheFileDoes() {
        #expect(RestartPolicy.allCases.map(\.rawValue) == ["no", "on-failure", "always"])
        #expect(RestartPolicy(rawValue: "on-failure") == .onFailure)
    }

    @Test func acceptsTheBounds() throws {
        let config = try ConfigFixture().load(
            #"{"logMaxSize": 1048576, "logKeep": 1000, "services": [{"name": "a", "command": "x", "restartDelay": 3600}]}"#)
        #expect(config.logMaxSize == 1_048_576)
        #expect(config.logMaxBytes == 1 << 40)
        #expect(config.logKeep == 1000)
        #expect(config.services[0].restartDelay == 3600)
    }

    /// Tests rotate after a few bytes; the size in bytes never rounds down to nothing.
    @Test func aTinyLogMaxSizeIsStillAtLeastOneByte() throws {
        #expect(try ConfigFixture().load(#"{"logMaxSize": 0.001, "services": [{"name": "a", "command": "x"}]}"#).logMaxBytes == 1048)
        #expect(try ConfigFixture().load(#"{"logMaxSize": 1e-12, "services": [{"name": "a", "command": "x"}]}"#).logMaxBytes == 1)
    }

    // MARK: Strict types and bounds

    @Test(arguments: [
        (#""never""#, #"got "never""#),
        (#""onfailure""#, #"got "onfailure"; did you mean 'on-failure'?"#),
        (#""Always""#, #"got "Always"; did you mean 'always'?"#),
        ("false", "got false"),
        ("true", "got true"),
        ("null", "got null"),
        ("0", "got 0"),
    ])
    func acceptsOnlyTheThreeRestartPolicies(value: String, got: String) {
        #expect(ConfigFixture().serviceProblems(#""restart": \#(value)"#)
            == [#"services[0].restart: expected one of "no", "on-failure", "always", \#(got)"#])
    }

    @Test(arguments: ["0", "-1", "3601", "1e999", "1e-999", "true", #""1""#, "null"])
    func rejectsARestartDelayOutsideItsBounds(value: String) {
        #expect(ConfigFixture().serviceProblems(#""restartDelay": \#(value)"#)
            == ["services[0].restartDelay: expected a number of seconds above 0 and at most 3600, got \(value)"])
    }

    @Test(arguments: ["-1", "1000001", "2.5", "3.0", "1e1", "true", #""3""#, "null"])
    func rejectsAMaxRestartsThatIsNotAWholeNumberInRange(value: String) {
        #expect(ConfigFixture().serviceProblems(#""maxRestarts": \#(value)"#)
            == ["services[0].maxRestarts: expected a whole number from 0 to 1000000, got \(value)"])
    }

    @Test(arguments: ["1", "0", #""true""#, #""yes""#, "null", "[]"])
    func rejectsAOneshotThatIsNotABoolean(value: String) {
        #expect(ConfigFixture().serviceProblems(#""oneshot": \#(value)"#)
            == ["services[0].oneshot: expected true or false, got \(value == "[]" ? "an array" : value)"])
    }

    @Test(arguments: ["0", "-0.5", "1048577", "1e999", "true", #""10""#, "null"])
    func rejectsALogMaxSizeOutsideItsBounds(value: String) {
        #expect(ConfigFixture().problems(#"{"logMaxSize": \#(value), "services": [{"name": "a", "command": "x"}]}"#)
            == ["logMaxSize: expected a number of MiB above 0 and at most 1048576, got \(value)"])
    }

    @Test(arguments: ["-1", "1001", "2.5", "3.0", "true", #""3""#, "null"])
    func rejectsALogKeepThatIsNotAWholeNumberInRange(value: String) {
        #expect(ConfigFixture().problems(#"{"logKeep": \#(value), "services": [{"name": "a", "command": "x"}]}"#)
            == ["logKeep: expected a whole number from 0 to 1000, got \(value)"])
    }

    // MARK: Oneshots

    @Test func refusesAOneshotThatRestartsAlways() {
        #expect(ConfigFixture().serviceProblems(#""oneshot": true, "restart": "always""#)
            == [#"services[0].restart: a oneshot is restarted only "on-failure" or never ("no"), not "always""#])
    }

    @Test func acceptsAOneshotThatRestartsOnFailure() throws {
        let config = try ConfigFixture().load(
            #"{"services": [{"name": "a", "command": "x", "oneshot": true, "restart": "on-failure"}]}"#)
        #expect(config.services[0].oneshot)
        #expect(config.services[0].restart == .onFailure)
    }

    @Test func refusesAOneshotWithAHealthCheck() {
        #expect(ConfigFixture().serviceProblems(#""oneshot": true, "healthcheck": {"tcp": 80}"#) == [
            "services[0].healthcheck: a oneshot is ready when it exits 0 and takes no health check; remove 'healthcheck' or 'oneshot'",
        ])
    }

    @Test func aServiceThatIsNotAOneshotMayRestartAlwaysWithAHealthCheck() throws {
        let config = try ConfigFixture().load(
            #"{"services": [{"name": "a", "command": "x", "oneshot": false, "restart": "always", "healthcheck": {"tcp": 80}}]}"#)
        #expect(config.services[0].restart == .always)
        #expect(config.services[0].healthcheck == HealthCheck(kind: .tcp(port: 80)))
    }

    // MARK: Keys

    @Test func suggestsTheNewKeysForTypos() {
        #expect(ConfigFixture().problems("""
        {"logmaxsize": 1, "logKept": 1,
         "services": [{"name": "a", "command": "x", "restrat": "no", "restartdelay": 1, "maxRestart": 1, "one_shot": true}]}
        """) == [
            "logmaxsize: unknown key; did you mean 'logMaxSize'?",
            "logKept: unknown key; did you mean 'logKeep'?",
            "services[0].restrat: unknown key; did you mean 'restart'?",
            "services[0].restartdelay: unknown key; did you mean 'restartDelay'?",
            "services[0].maxRestart: unknown key; did you mean 'maxRestarts'?",
            "services[0].one_shot: unknown key; did you mean 'oneshot'?",
        ])
    }

    @Test func listsEveryProblemOfTheNewKeysAtOnce() {
        #expect(ConfigFixture().problems("""
        {"logMaxSize": "1", "logKeep": -1,
         "services": [{"name": "a", "command": "x", "restart": "sometimes", "restartDelay": 0, "maxRestarts": 1.5},
                      {"name": "b", "command": "x", "oneshot": true, "restart": "always", "healthcheck": {"tcp": 80}}]}
        """) == [
            #"logMaxSize: expected a number of MiB above 0 and at most 1048576, got "1""#,
            "logKeep: expected a whole number from 0 to 1000, got -1",
            #"services[0].restart: expected one of "no", "on-failure", "always", got "sometimes""#,
            "services[0].restartDelay: expected a number of seconds above 0 and at most 3600, got 0",
            "services[0].maxRestarts: expected a whole number from 0 to 1000000, got 1.5",
            #"services[1].restart: a oneshot is restarted only "on-failure" or never ("no"), not "always""#,
            "services[1].healthcheck: a oneshot is ready when it exits 0 and takes no health check; remove 'healthcheck' or 'oneshot'",
        ])
    }
}
