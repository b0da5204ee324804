import Foundation
import Testing
@testable import DevctlCLI
@testable import DevctlConfig
@testable import DevctlLifecycle
@testable import DevctlProcesses
@testable import DevctlSystem
@testable import DevctlText
@testable import DevctlTracking

@Suite struct ConfigValidationTests {
    // MARK: What a valid file becomes

    @Test func loadsTheSpecExampleWithEveryPathResolved() throws {
        let fixture = ConfigFixture()
        fixture.makeFolder("backend")
        fixture.write("docker-compose.yml", "services: {}\n")
        fixture.write(".env", "PORT=1\nFROM_FILE=yes\n")
        let config = try fixture.load("""
        {
          "project": "shop",
          "stopTimeout": 3,
          "orphanPatterns": ["vitest", "esbuild", "tsx watch"],
          "compose": "docker-compose.yml",
          "services": [
            { "name": "db-proxy", "command": "python3 -m http.server 5433",
              "healthcheck": { "tcp": 5433 } },
            { "name": "api", "command": ["python3", "-m", "http.server", "8000"],
              "cwd": "backend", "env": { "PORT": "8000" }, "envFile": ".env",
              "dependsOn": ["db-proxy"],
              "healthcheck": { "http": "http://127.0.0.1:8000/", "timeout": 30 },
              "stopSignal": "INT", "stopTimeout": 5 }
          ]
        }
        """)
        #expect(config.project == "shop")
        #expect(config.root == fixture.root)
        #expect(config.file == fixture.file)
        #expect(config.stopTimeout == 3)
        #expect(config.orphanPatterns == ["vitest", "esbuild", "tsx watch"])
        #expect(config.compose == fixture.root + "/docker-compose.yml")
        #expect(config.services.map(\.name) == ["db-proxy", "api"])
        #expect(config.services[0] == ServiceConfig(
            name: "db-proxy", command: .shell("python3 -m http.server 5433"), cwd: fixture.root,
            healthcheck: HealthCheck(kind: .tcp(port: 5433))))
        #expect(config.service(named: "api") == ServiceConfig(
            name: "api", command: .argv(["python3", "-m", "http.server", "8000"]), cwd: fixture.root + "/backend",
            environment: ["PORT": "8000", "FROM_FILE": "yes"], envFile: fixture.root + "/.env", dependsOn: ["db-proxy"],
            healthcheck: HealthCheck(kind: .http(url: "http://127.0.0.1:8000/"), timeout: 30, interval: 0.2),
            stopSignal: .int, stopTimeout: 5))
        #expect(config.service(named: "nope") == nil)
    }

    @Test func appliesDefaults() throws {
        let fixture = ConfigFixture(folderName: "my shop.v2")
        let config = try fixture.load(#"{"stopTimeout": 7, "services": [{"name": "web", "command": "run"}]}"#)
        #expect(config.project == "my-shop.v2")
        #expect(config.orphanPatterns == [])
        #expect(config.compose == nil)
        let web = try #require(config.services.first)
        #expect(web.cwd == fixture.root)
        #expect(web.environment == [:])
        #expect(web.envFile == nil)
        #expect(web.dependsOn == [])
        #expect(web.healthcheck == nil)
        #expect(web.stopSignal == .term)
        #expect(web.stopTimeout == 7)
        #expect(try ConfigFixture().load(#"{"services": [{"name": "a", "command": "x"}]}"#).stopTimeout == 3)
    }

    @Test func resolvesRelativeFoldersAgainstTheRoot() throws {
        let fixture = ConfigFixture()
        fixture.makeFolder("a/b")
        let config = try fixture.load(#"{"services": [{"name": "web", "command": "run", "cwd": "./a/../a//b/"}]}"#)
        #expect(config.services[0].cwd == fixture.root + "/a/b")
    }

    // MARK: compose

    @Test func findsTheFirstDefaultComposeFile() throws {
        let fixture = ConfigFixture()
        fixture.write("docker-compose.yml", "")
        fixture.write("compose.yml", "")
        let config = try fixture.load(#"{"services": [{"name": "web", "command": "run"}]}"#)
        #expect(config.compose == fixture.root + "/compose.yml")
    }

    @Test func composeFalseDisablesContainersEvenWithAComposeFile() throws {
        let fixture = ConfigFixture()
        fixture.write("compose.yaml", "")
        #expect(try fixture.load(#"{"compose": false, "services": [{"name": "web", "command": "run"}]}"#).compose == nil)
    }

    @Test(arguments: [
        (#""nope.yml""#, "compose: file 'nope.yml' does not exist"),
        (#""sub""#, "compose: 'sub' is a folder, not a file"),
        ("true", "compose: expected a file name or false, got true"),
        ("null", "compose: expected a file name or false, got null"),
    ])
    func rejectsABadComposeValue(value: String, expected: String) {
        let fixture = ConfigFixture()
        fixture.makeFolder("sub")
        #expect(fixture.problems(#"{"compose": \#(value), "services": [{"name": "web", "command": "run"}]}"#) == [expected])
    }

    // MARK: Strict types

    @Test func rejectsBooleanWhereNumberExpected() {
        #expect(ConfigFixture().problems(#"{"stopTimeout": true, "services": [{"name": "a", "command": "x"}]}"#)
            == ["stopTimeout: expected a number of seconds from 0 to 3600, got true"])
    }

    @Test(arguments: [#""3""#, "-1", "3601", "1e999", "null"])
    func rejectsAStopTimeoutOutside0To3600(value: String) {
        #expect(ConfigFixture().serviceProblems(#""stopTimeout": \#(value)"#)
            == ["services[0].stopTimeout: expected a number of seconds from 0 to 3600, got \(value)"])
    }

    @Test func acceptsStopTimeoutsAtTheBounds() throws {
        let config = try ConfigFixture().load(
            #"{"stopTimeout": 0, "services": [{"name": "a", "command": "x", "stopTimeout": 3600}]}"#)
        #expect(config.stopTimeout == 0)
        #expect(config.services[0].stopTimeout == 3600)
    }

    @Test(arguments: [#""80a""#, #""3""#, "true", "3.5", "80.0", "8e1", "0", "65536", "-1", "1e999", "[80]"])
    func rejectsAnythingButAPortNumberForTcp(value: String) {
        #expect(ConfigFixture().serviceProblems(#""healthcheck": {"tcp": \#(value)}"#)
            == ["services[0].healthcheck.tcp: expected a port number 1-65535, got \(value == "[80]" ? "an array" : value)"])
    }

    /// 1e300 used to pass, then trap converting to a Duration once `start` had spawned the service.
    @Test(arguments: ["0", "-0.5", "true", #""1""#, "1e999", "1e-999", "1e300", "3601"])
    func rejectsHealthCheckTimesOutsideTheirBounds(value: String) {
        #expect(ConfigFixture().serviceProblems(#""healthcheck": {"tcp": 80, "timeout": \#(value), "interval": \#(value)}"#) == [
            "services[0].healthcheck.timeout: expected a number of seconds above 0 and at most 3600, got \(value)",
            "services[0].healthcheck.interval: expected a number of seconds above 0 and at most 60, got \(value)",
        ])
    }

    @Test func rejectsAnIntervalAboveAMinute() {
        #expect(ConfigFixture().serviceProblems(#""healthcheck": {"tcp": 80, "interval": 60.5}"#)
            == ["services[0].healthcheck.interval: expected a number of seconds above 0 and at most 60, got 60.5"])
    }

    @Test func acceptsHealthCheckTimesAtTheirBounds() throws {
        let config = try ConfigFixture().load(
            #"{"services": [{"name": "a", "command": "x", "healthcheck": {"tcp": 80, "timeout": 3600, "interval": 60}}]}"#)
        #expect(config.services[0].healthcheck == HealthCheck(kind: .tcp(port: 80), timeout: 3600, interval: 60))
    }

    @Test func readsHealthCheckTimes() throws {
        let config = try ConfigFixture().load(
            #"{"services": [{"name": "a", "command": "x", "healthcheck": {"command": "true", "timeout": 2.5, "interval": 1}}]}"#)
        #expect(config.services[0].healthcheck == HealthCheck(kind: .command("true"), timeout: 2.5, interval: 1))
    }

    @Test func topLevelMustBeAnObject() {
        let fixture = ConfigFixture()
        fixture.write("services.json", "\n  [1]")
        #expect(throws: ConfigError.self) { try ConfigLoader.load(file: fixture.file) }
        do {
            _ = try ConfigLoader.load(file: fixture.file)
        } catch {
            #expect(error.description == "services.json:2:3: expected an object at the top level, got an array")
        }
    }

    // MARK: Keys

    @Test func rejectsUnknownKeysAtEveryLevelWithSuggestions() {
        #expect(ConfigFixture().problems("""
        {"stoptimeout": 1, "colour": 1,
         "services": [{"name": "a", "command": "x", "stoptimeout": 1, "depends_on": [],
                       "healthcheck": {"tcp": 80, "intervall": 1}}]}
        """) == [
            "stoptimeout: unknown key; did you mean 'stopTimeout'?",
            "colour: unknown key",
            "services[0].stoptimeout: unknown key; did you mean 'stopTimeout'?",
            "services[0].depends_on: unknown key; did you mean 'dependsOn'?",
            "services[0].healthcheck.intervall: unknown key; did you mean 'interval'?",
        ])
    }

    @Test func rejectsDuplicateJSONKeys() {
        #expect(ConfigFixture().problems("""
        {"services": [{"name": "a", "command": "x",
                       "name": "b"}],
         "services": []}
        """) == [
            "services: duplicate key (first at line 1, column 2)",
            "services[0].name: duplicate key (first at line 1, column 16)",
        ])
    }

    @Test func quotesKeysThatAreNotPlainWords() {
        #expect(ConfigFixture().serviceProblems(#""env": {"A=B": "1", "my var": 2}"#) == [
            #"services[0].env["A=B"]: a variable name must be non-empty and contain no '=' or NUL"#,
            #"services[0].env["my var"]: expected a string, got 2"#,
        ])
    }

    // MARK: Names

    @Test func rejectsDuplicateServiceNames() {
        #expect(ConfigFixture().problems("""
        {"services": [{"name": "api", "command": "x"}, {"name": "db", "command": "x"}, {"name": "api", "command": "y"}]}
        """) == ["services[2].name: duplicate service name 'api' (also services[0])"])
    }

    @Test(arguments: ["a/b", "..", "a\nb", "a:b", "", "a b", "a.b", "café"])
    func rejectsServiceNamesOutsideTheAllowedCharacters(name: String) {
        let quoted = JSONText.quote(name)
        #expect(ConfigFixture().problems(#"{"services": [{"name": \#(quoted), "command": "x"}]}"#)
            == ["services[0].name: expected a name made of letters, digits, '_' and '-', got \(quoted)"])
    }

    /// `devctl stop --` once stopped everything when a Procfile had made a service called `--`.
    @Test(arguments: ["-", "--", "-x", "--json", "-_"])
    func rejectsServiceNamesThatCouldBeTakenForAnOption(name: String) {
        #expect(ConfigFixture().problems(#"{"services": [{"name": "\#(name)", "command": "x"}]}"#)
            == [#"services[0].name: a service name must start with a letter, digit or '_', not '-' (it would read as an option), got "\#(name)""#])
    }

    @Test func acceptsServiceNamesThatStartWithADigitOrUnderscore() throws {
        let config = try ConfigFixture().load(#"{"services": [{"name": "9lives", "command": "x"}, {"name": "_x-", "command": "x"}]}"#)
        #expect(config.services.map(\.name) == ["9lives", "_x-"])
    }

    @Test func rejectsAServiceNameThatIsNotAString() {
        #expect(ConfigFixture().problems(#"{"services": [{"name": 5, "command": "x"}]}"#)
            == ["services[0].name: expected a name made of letters, digits, '_' and '-', got 5"])
    }

    @Test func rejectsAnInvalidProjectName() {
        #expect(ConfigFixture().problems(#"{"project": "my shop", "services": [{"name": "a", "command": "x"}]}"#)
            == [#"project: expected a name made of letters, digits, '_', '.' and '-', got "my shop""#])
    }

    @Test func requiresNameAndCommand() {
        #expect(ConfigFixture().problems(#"{"services": [{"cwd": "."}, "api"]}"#) == [
            "services[0]: missing required key 'name'",
            "services[0]: missing required key 'command'",
            #"services[1]: expected an object, got "api""#,
        ])
    }

    @Test(arguments: [
        (#"{"services": []}"#, "services: no services defined"),
        (#"{}"#, "services: no services defined"),
        (#"{"services": {"name": "a"}}"#, "services: expected an array of services, got an object"),
    ])
    func requiresServices(json: String, expected: String) {
        #expect(ConfigFixture().problems(json) == [expected])
    }

    // MARK: Commands

    @Test(arguments: [
        (#""""#, "services[0].command: expected a non-empty command"),
        (#""  ""#, "services[0].command: expected a non-empty command"),
        ("[]", "services[0].command: expected a non-empty array of strings"),
        (#"["", "x"]"#, "services[0].command[0]: the program name must not be empty"),
        (#"["x", 1]"#, "services[0].command[1]: expected a string, got 1"),
        ("5", "services[0].command: expected a string or an array of strings, got 5"),
        (#""a\u0000b""#, "services[0].command: must not contain a NUL character"),
    ])
    func rejectsABadCommand(command: String, expected: String) {
        #expect(ConfigFixture().problems(#"{"services": [{"name": "a", "command": \#(command)}]}"#) == [expected])
    }

    @Test func displaysCommandsAsTyped() {
        #expect(ServiceCommand.shell("npm run dev | tee x").displayString == "npm run dev | tee x")
        #expect(ServiceCommand.argv(["python3", "-c", "print('hi there')", ""]).displayString
            == #"python3 -c 'print('\''hi there'\'')' ''"#)
        #expect(ServiceCommand.argv(["a", "b c"]).displayString == "a 'b c'")
    }

    // MARK: Dependencies

    @Test func rejectsUnknownAndSelfDependencies() {
        #expect(ConfigFixture().problems("""
        {"services": [{"name": "database", "command": "x"},
                      {"name": "api", "command": "x", "dependsOn": ["databse", "api", "database", "database", "zzz"]}]}
        """) == [
            "services[1].dependsOn[0]: unknown service 'databse'; did you mean 'database'?",
            "services[1].dependsOn[1]: service 'api' cannot depend on itself",
            "services[1].dependsOn[3]: 'database' is listed twice",
            "services[1].dependsOn[4]: unknown service 'zzz'",
        ])
    }

    @Test func rejectsDependencyCyclesNamingThem() {
        #expect(ConfigFixture().problems("""
        {"services": [{"name": "api", "command": "x", "dependsOn": ["worker"]},
                      {"name": "worker", "command": "x", "dependsOn": ["api"]},
                      {"name": "a", "command": "x", "dependsOn": ["b"]},
                      {"name": "b", "command": "x", "dependsOn": ["c"]},
                      {"name": "c", "command": "x", "dependsOn": ["a", "api"]}]}
        """) == [
            "services: dependency cycle api -> worker -> api",
            "services: dependency cycle a -> b -> c -> a",
        ])
    }

    @Test func rejectsDependsOnThatIsNotAListOfNames() {
        #expect(ConfigFixture().serviceProblems(#""dependsOn": "db""#)
            == [#"services[0].dependsOn: expected an array of service names, got "db""#])
        #expect(ConfigFixture().serviceProblems(#""dependsOn": [true]"#) == ["services[0].dependsOn[0]: expected a string, got true"])
    }

    // MARK: Health checks

    @Test(arguments: [
        ("{}", "services[0].healthcheck: expected exactly one of 'tcp', 'http', 'command' or 'log'"),
        (#"{"timeout": 3}"#, "services[0].healthcheck: expected exactly one of 'tcp', 'http', 'command' or 'log'"),
        (#"{"tcp": 80, "http": "http://localhost/"}"#,
         "services[0].healthcheck: expected exactly one of 'tcp', 'http', 'command' or 'log', got 'tcp' and 'http'"),
        ("8000", #"services[0].healthcheck: expected an object such as {"tcp": 8000}, got 8000"#),
        (#"{"command": " "}"#, #"services[0].healthcheck.command: expected a non-empty command, got " ""#),
    ])
    func requiresExactlyOneHealthCheckKind(healthcheck: String, expected: String) {
        #expect(ConfigFixture().serviceProblems(#""healthcheck": \#(healthcheck)"#) == [expected])
    }

    @Test(arguments: [
        (#""https://localhost/""#, #"services[0].healthcheck.http: only http:// is supported, got "https://localhost/""#),
        (#""ftp://localhost/""#, #"services[0].healthcheck.http: expected an http:// URL, got "ftp://localhost/""#),
        (#""localhost:8000""#, #"services[0].healthcheck.http: expected an http:// URL, got "localhost:8000""#),
        (#""http://a b/""#, #"services[0].healthcheck.http: expected an http:// URL, got "http://a b/""#),
        (#""http:///x""#, #"services[0].healthcheck.http: the URL "http:///x" has no host"#),
        (#""http://localhost:99999/""#, #"services[0].healthcheck.http: port 99999 of "http://localhost:99999/" is not in 1-65535"#),
        ("8000", "services[0].healthcheck.http: expected an http:// URL, got 8000"),
    ])
    func rejectsABadHealthCheckURL(url: String, expected: String) {
        #expect(ConfigFixture().serviceProblems(#""healthcheck": {"http": \#(url)}"#) == [expected])
    }

    @Test func reportsTheLocalPortOfAHealthCheck() {
        #expect(HealthCheck(kind: .tcp(port: 5433)).port == 5433)
        #expect(HealthCheck(kind: .http(url: "http://127.0.0.1:8000/health")).port == 8000)
        #expect(HealthCheck(kind: .http(url: "http://LocalHost/")).port == 80)
        #expect(HealthCheck(kind: .http(url: "http://[::1]:9000/")).port == 9000)
        #expect(HealthCheck(kind: .http(url: "https://localhost/")).port == 443)
        #expect(HealthCheck(kind: .http(url: "http://example.com:8000/")).port == nil)
        #expect(HealthCheck(kind: .command("true")).port == nil)
        #expect(HealthCheck(kind: .log(pattern: "listening on :8000")).port == nil)
    }

    @Test func readsALogHealthCheckWithItsTimes() throws {
        let config = try ConfigFixture().load(
            #"{"services": [{"name": "a", "command": "x", "healthcheck": {"log": "ready( in \\d+ ms)?$", "timeout": 5, "interval": 0.5}}]}"#)
        #expect(config.services[0].healthcheck == HealthCheck(kind: .log(pattern: #"ready( in \d+ ms)?$"#), timeout: 5, interval: 0.5))
        #expect(config.services[0].healthcheck?.summary == #"log /ready( in \d+ ms)?$/"#)
    }

    @Test(arguments: [
        (#""(""#, #"services[1].healthcheck.log: invalid regular expression "(": expected ')'"#),
        (#""[a-""#, #"services[1].healthcheck.log: invalid regular expression "[a-": expected ']'"#),
        (#""*ready""#, #"services[1].healthcheck.log: invalid regular expression "*ready": quantifier '*' must appear after expression"#),
        (#""""#, "services[1].healthcheck.log: an empty pattern would match any line; give the text that means the service is ready"),
        ("true", "services[1].healthcheck.log: expected a regular expression, got true"),
        (#"["ready"]"#, "services[1].healthcheck.log: expected a regular expression, got an array"),
    ])
    func rejectsALogPatternThatDoesNotCompile(pattern: String, expected: String) {
        #expect(ConfigFixture().problems(
            #"{"services": [{"name": "a", "command": "x"}, {"name": "b", "command": "x", "healthcheck": {"log": \#(pattern)}}]}"#
        ) == [expected])
    }

    @Test func aLogHealthCheckIsOneKindAmongTheOthers() {
        #expect(ConfigFixture().serviceProblems(#""healthcheck": {"log": "ready", "tcp": 80, "timeout": 0}"#) == [
            "services[0].healthcheck: expected exactly one of 'tcp', 'http', 'command' or 'log', got 'tcp' and 'log'",
            "services[0].healthcheck.timeout: expected a number of seconds above 0 and at most 3600, got 0",
        ])
    }

    // MARK: Stop signals

    @Test(arguments: [
        (#""SIGINT""#, #"got "SIGINT"; did you mean 'INT'?"#),
        (#""TRM""#, #"got "TRM"; did you mean 'TERM'?"#),
        (#""usr1""#, #"got "usr1"; did you mean 'USR1'?"#),
        (#""KILL""#, #"got "KILL""#),
        ("15", "got 15"),
    ])
    func acceptsOnlyTheSixStopSignalNames(signal: String, got: String) {
        #expect(ConfigFixture().serviceProblems(#""stopSignal": \#(signal)"#)
            == ["services[0].stopSignal: expected one of TERM, INT, QUIT, HUP, USR1, USR2, \(got)"])
    }

    @Test func mapsStopSignalsToTheirNumbers() throws {
        #expect(StopSignal.allCases.map(\.number) == [SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2])
        #expect(try ConfigFixture().load(#"{"services": [{"name": "a", "command": "x", "stopSignal": "USR2"}]}"#)
            .services[0].stopSignal == .usr2)
    }

    // MARK: Folders and files

    @Test func rejectsAMissingOrNonFolderCwd() {
        let fixture = ConfigFixture()
        fixture.write("file.txt", "")
        #expect(fixture.problems("""
        {"services": [{"name": "a", "command": "x"},
                      {"name": "b", "command": "x", "cwd": "backend"},
                      {"name": "c", "command": "x", "cwd": "file.txt"},
                      {"name": "d", "command": "x", "cwd": 1}]}
        """) == [
            "services[1].cwd: folder 'backend' does not exist",
            "services[2].cwd: 'file.txt' is not a folder",
            "services[3].cwd: expected a folder name, got 1",
        ])
    }

    @Test func overlaysEnvOnEnvFile() throws {
        let fixture = ConfigFixture()
        fixture.write("config/dev.env", "# settings\nexport A=from-file\nB='kept'\n")
        let config = try fixture.load(
            #"{"services": [{"name": "a", "command": "x", "envFile": "config/dev.env", "env": {"A": "from-env", "C": ""}}]}"#)
        #expect(config.services[0].environment == ["A": "from-env", "B": "kept", "C": ""])
        #expect(config.services[0].envFile == fixture.root + "/config/dev.env")
    }

    @Test func reportsEveryBadLineOfAnEnvFile() {
        let fixture = ConfigFixture()
        fixture.write(".env", "A=1\n\nnot an assignment\nB=\"open\n")
        #expect(fixture.serviceProblems(#""envFile": ".env""#) == [
            "services[0].envFile: '.env' line 3, column 1: expected KEY=VALUE",
            "services[0].envFile: '.env' line 4, column 3: unterminated double-quoted value",
        ])
    }

    @Test func rejectsAMissingFolderOrUndecodableEnvFile() {
        let fixture = ConfigFixture()
        fixture.makeFolder("envs")
        fixture.write("latin1.env", bytes: Array("A=caf".utf8) + [0xE9])
        #expect(fixture.problems("""
        {"services": [{"name": "a", "command": "x", "envFile": ".env"},
                      {"name": "b", "command": "x", "envFile": "envs"},
                      {"name": "c", "command": "x", "envFile": "latin1.env"},
                      {"name": "d", "command": "x", "envFile": false}]}
        """) == [
            "services[0].envFile: file '.env' does not exist",
            "services[1].envFile: 'envs' is a folder, not a file",
            "services[2].envFile: 'latin1.env' line 1, column 6: invalid UTF-8 byte 0xE9; the file must be UTF-8 encoded",
            "services[3].envFile: expected a file name, got false",
        ])
    }

    @Test func requiresEnvToBeAnObjectOfStrings() {
        #expect(ConfigFixture().serviceProblems(#""env": {"PORT": 8000, "DEBUG": true}"#) == [
            "services[0].env.PORT: expected a string, got 8000",
            "services[0].env.DEBUG: expected a string, got true",
        ])
        #expect(ConfigFixture().serviceProblems(#""env": ["PORT=1"]"#) == ["services[0].env: expected an object, got an array"])
    }

    // MARK: Orphan patterns

    @Test func rejectsOrphanPatternsThatDoNotCompile() {
        #expect(ConfigFixture().problems(#"{"orphanPatterns": ["vitest", "(", 5, ""], "services": [{"name": "a", "command": "x"}]}"#) == [
            "orphanPatterns[2]: expected a string, got 5",
        ])
        #expect(ConfigFixture().problems(#"{"orphanPatterns": ["vitest", "(", ""], "services": [{"name": "a", "command": "x"}]}"#) == [
            #"orphanPatterns[1]: invalid regular expression "(": expected ')'"#,
            "orphanPatterns[2]: an empty pattern would match every process",
        ])
        #expect(ConfigFixture().problems(#"{"orphanPatterns": "vitest", "services": [{"name": "a", "command": "x"}]}"#) == [
            #"orphanPatterns: expected an array of regular expressions, got "vitest""#,
        ])
    }

    // MARK: The whole file

    @Test func reportsEveryProblemAtOnce() {
        let fixture = ConfigFixture()
        fixture.write("services.json", """
        {
          "stopTimeout": true,
          "services": [
            {"name": "db", "command": "x", "healthcheck": {"tcp": "80a"}},
            {"name": "api", "command": "x", "cwd": "backend", "dependsOn": ["dbb"], "stoptimeout": 1},
            {"name": "api", "command": []}
          ]
        }
        """)
        do {
            _ = try ConfigLoader.load(file: fixture.file)
            Issue.record("loaded a bad file")
        } catch {
            #expect(error.file == fixture.file)
            #expect(error.description == """
            services.json has 7 problems:
              stopTimeout: expected a number of seconds from 0 to 3600, got true
              services[0].healthcheck.tcp: expected a port number 1-65535, got "80a"
              services[1].stoptimeout: unknown key; did you mean 'stopTimeout'?
              services[1].cwd: folder 'backend' does not exist
              services[2].command: expected a non-empty array of strings
              services[2].name: duplicate service name 'api' (also services[1])
              services[1].dependsOn[0]: unknown service 'dbb'; did you mean 'db'?
            """)
        }
    }

    @Test func describesASingleProblemUnderAHeader() {
        let fixture = ConfigFixture()
        fixture.write("services.json", #"{"project": 1, "services": [{"name": "a", "command": "x"}]}"#)
        do {
            _ = try ConfigLoader.load(file: fixture.file)
            Issue.record("loaded a bad file")
        } catch {
            #expect(error.description == """
            services.json has 1 problem:
              project: expected a name made of letters, digits, '_', '.' and '-', got 1
            """)
        }
    }

    @Test func namesLineAndColumnOfInvalidJSON() {
        let fixture = ConfigFixture()
        fixture.write("services.json", "{\n  \"services\": [\n    {\"name\": \"a\" \"command\": \"x\"}\n  ]\n}\n")
        do {
            _ = try ConfigLoader.load(file: fixture.file)
            Issue.record("loaded invalid JSON")
        } catch {
            #expect(error.problems == [ConfigProblem(path: "services.json:3:18", message: "invalid JSON: expected ',' or '}' after object member")])
            #expect(error.description == "services.json:3:18: invalid JSON: expected ',' or '}' after object member")
        }
    }

    @Test func refusesInvalidUTF8AndHugeNumbersWithoutCrashing() {
        #expect(throws: ConfigError.self) {
            try ConfigLoader.parse(data: [0x7B, 0xFF, 0x7D], file: ConfigFixture().file)
        }
        #expect(ConfigFixture().problems(#"{"stopTimeout": 1e999, "services": [{"name": "a", "command": "x"}]}"#)
            == ["stopTimeout: expected a number of seconds from 0 to 3600, got 1e999"])
    }

    @Test func reportsAFileThatCannotBeRead() {
        let missing = ConfigFixture().root + "/elsewhere/services.json"
        do {
            _ = try ConfigLoader.load(file: missing)
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.description == "services.json: cannot read the file: No such file or directory")
        }
    }
}
