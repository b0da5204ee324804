#if canImport(Glibc)
import Glibc
#endif
import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation
import Testing

/// A valid services.json broken in hundreds of seeded, reproducible ways: truncated, values of the
/// wrong type, huge numbers, NaN-like literals, deep nesting, invalid UTF-8, 10 MB files. Every
/// one must be refused with an `error:` and exit 2, never a crash, a signal or a hang. Most go
/// through `ConfigLoader.parse` in-process; a sample and the 10 MB files go through the binary.
@Suite struct HostileConfigTests {
    /// SplitMix64: tiny, seedable, the same sequence on every machine.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// One place in the template and values that are wrong there, whatever else the file says.
    struct Slot {
        var name: String
        var valid: String
        var wrong: [String]
    }

    static let numbersNoKeyAccepts = ["1e999", "-1e999", "123456789012345678901234567890", "-1", "NaN", "Infinity", "-Infinity",
                                      "nan", "0x10", "1.", ".5", "+1", "01", "\"NaN\"", "\"1e999\"", "true", "null", "[]", "{}"]

    static let slots: [Slot] = [
        Slot(name: "PROJECT", valid: #""fuzz""#, wrong: ["1", "true", "null", #""a b""#, #""../x""#, #""x/y""#, #""""#, "[]", "{}"]),
        Slot(name: "STOP", valid: "2", wrong: numbersNoKeyAccepts + ["3601", "1e308", #""2""#, "-0.5"]),
        Slot(name: "PATTERNS", valid: #"["vite"]"#, wrong: [#""vite""#, "[1]", #"[""]"#, #"["("]"#, "{}", "[null]"]),
        Slot(name: "COMPOSE", valid: "false", wrong: ["true", "1", #""missing-compose.yml""#, "null", "[]"]),
        Slot(name: "NAME", valid: #""api""#, wrong: [#""a/b""#, #"".."""#, #""../api""#, #""a\nb""#, #""a:b""#, #""""#, #""a b""#,
                                                   "1", "null", #""worker""#, #""é""#, #""x\u0000""#, #""a.b""#]),
        Slot(name: "COMMAND", valid: #"["python3", "-m", "http.server", "8000"]"#,
             wrong: ["[]", #""""#, #""   ""#, #"[""]"#, "[1]", "1", "null", "{}", "true", #"[["a"]]"#, #""a\u0000b""#]),
        Slot(name: "ENV", valid: #"{"PORT": "8000"}"#,
             wrong: [#"{"PORT": 8000}"#, #"{"": "x"}"#, #"{"A=B": "x"}"#, "[]", #""PORT=1""#, #"{"P": null}"#, #"{"P": "a\u0000"}"#]),
        Slot(name: "HTTP", valid: #""http://127.0.0.1:8000/""#,
             wrong: [#""ftp://x/""#, #""http://""#, #""http://127.0.0.1:99999/""#, "8000", "null", #""https://x/""#, #""""#]),
        Slot(name: "TIMEOUT", valid: "5", wrong: ["0", "-1", #""5""#, "1e999", "1e300", "3601", "null", "true", "NaN", "-Infinity"]),
        Slot(name: "SIGNAL", valid: #""INT""#, wrong: [#""KILL""#, #""SIGTERMX""#, "15", #""STOP""#, "null", #""""#]),
        Slot(name: "SVCSTOP", valid: "1", wrong: numbersNoKeyAccepts + ["3601", #""1""#]),
        Slot(name: "DEPENDS", valid: #"["api"]"#, wrong: [#"["nope"]"#, #"["worker"]"#, #""api""#, "[1]", #"["api", "api"]"#, "null"]),
        Slot(name: "TCP", valid: "9000", wrong: numbersNoKeyAccepts + ["0", "65536", #""9000""#, "9000.5", "1e5", #""80a""#]),
        Slot(name: "INTERVAL", valid: "0.5", wrong: ["0", "-0.1", #""0.5""#, "1e999", "1e300", "61", "null", "[0.5]"]),
    ]

    /// `@NAME@` marks each slot.
    static let template = #"""
    {"project": @PROJECT@, "stopTimeout": @STOP@, "orphanPatterns": @PATTERNS@, "compose": @COMPOSE@,
     "services": [
      {"name": @NAME@, "command": @COMMAND@, "env": @ENV@, "healthcheck": {"http": @HTTP@, "timeout": @TIMEOUT@},
       "stopSignal": @SIGNAL@, "stopTimeout": @SVCSTOP@},
      {"name": "worker", "command": "sleep 300", "dependsOn": @DEPENDS@, "healthcheck": {"tcp": @TCP@, "interval": @INTERVAL@}}]}
    """#

    static func render(_ replacing: [String: String] = [:]) -> String {
        var text = template
        for slot in slots {
            text = text.replacingOccurrences(of: "@\(slot.name)@", with: replacing[slot.name] ?? slot.valid)
        }
        return text
    }

    /// One mutation: its description (for the failure message) and the resulting bytes.
    static func mutation(_ random: inout SeededGenerator) -> (String, [UInt8]) {
        let valid = Array(render().utf8)
        switch Int.random(in: 0..<10, using: &random) {
        case 0, 1:
            // Every strict prefix misses the closing brace, at least.
            let length = Int.random(in: 0..<valid.count, using: &random)
            return ("truncated to \(length) bytes", Array(valid.prefix(length)))
        case 2, 3, 4, 5:
            let slot = slots.randomElement(using: &random)!
            let value = slot.wrong.randomElement(using: &random)!
            return ("\(slot.name) = \(value)", Array(render([slot.name: value]).utf8))
        case 6:
            let slot = slots.randomElement(using: &random)!
            let depth = [101, 1_000, 100_000].randomElement(using: &random)!
            let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            return ("\(slot.name) nested \(depth) deep", Array(render([slot.name: nested]).utf8))
        case 7:
            let bad: [[UInt8]] = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x80]]
            let bytes = bad.randomElement(using: &random)!
            let at = Int.random(in: 0...valid.count, using: &random)
            return ("bytes \(bytes) inserted at \(at)", Array(valid[..<at]) + bytes + Array(valid[at...]))
        case 8:
            let key = [#""name": "api", "#, #""stoptimeout": 1, "#, #""command": "x", "#, #""healthCheck": {}, "#].randomElement(using: &random)!
            let text = render().replacingOccurrences(of: #"{"name": "worker", "#, with: #"{"name": "worker", "# + key)
            return ("worker gets \(key)", Array(text.utf8))
        default:
            let junk = ["NaN", "Infinity", "undefined", "// comment", "/* x */", "'single'", ",", "]", "}", "\u{0}"]
                .randomElement(using: &random)!
            let at = [0, valid.count].randomElement(using: &random)!
            return ("\(junk) at \(at)", Array(valid[..<at]) + Array(junk.utf8) + Array(valid[at...]))
        }
    }

    static let seed: UInt64 = 0x5AFE_7E57

    static func folder() throws -> String {
        let root = NSTemporaryDirectory() + "devctl-hostile-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        return root
    }

    @Test func theTemplateItselfIsValid() throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let config = try ConfigLoader.parse(data: Array(Self.render().utf8), file: root + "/services.json")
        #expect(config.services.map(\.name) == ["api", "worker"])
    }

    @Test func threeHundredMutationsAreEachRefusedWithAMessage() throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var random = SeededGenerator(state: Self.seed)
        for index in 0..<300 {
            let (what, bytes) = Self.mutation(&random)
            do {
                let config = try ConfigLoader.parse(data: bytes, file: root + "/services.json")
                Issue.record("mutation \(index) (seed \(Self.seed)): \(what) was accepted: \(config.services.map(\.name))")
            } catch {
                #expect(!error.description.isEmpty && error.problems.allSatisfy { !$0.message.isEmpty },
                        "mutation \(index): \(what)")
            }
        }
    }

    @Test func aSampleThroughTheBinaryExitsTwoWithAnError() throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var random = SeededGenerator(state: Self.seed ^ 0xB1)
        for index in 0..<24 {
            let (what, bytes) = Self.mutation(&random)
            let file = root + "/services.json"
            #expect(FileManager.default.createFile(atPath: file, contents: Data(bytes)))
            let result = DevctlRunner.run(["-f", file, "status"], directory: root, environment: [:], timeout: 60)
            #expect(result.exitCode == 2, "mutation \(index): \(what)\n\(result)")
            #expect(result.stderr.hasPrefix("error: "), "mutation \(index): \(what)\n\(result)")
        }
    }

    /// 10 MB: one huge string, nesting to the bottom, and 200,000 problems (listing millions used
    /// to take half a minute, 2 GB and 300 MB of output: now the first 200 and a count).
    @Test(arguments: ["string", "nesting", "problems"])
    func tenMegabyteFilesAreRefusedQuicklyAndBriefly(kind: String) throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let size = 10 << 20
        let text = switch kind {
        case "string": #"{"services": [{"name": "a", "command": "x"}], "junk": ""# + String(repeating: "x", count: size) + #""}"#
        case "nesting": String(repeating: "[", count: size)
        // 200,000 long numbers where strings belong: cheap to parse, each one a problem.
        default: #"{"services": [{"name": "a", "command": ["# + Array(repeating: String(repeating: "7", count: 50), count: size / 51)
            .joined(separator: ",") + "]}]}"
        }
        let file = root + "/services.json"
        #expect(FileManager.default.createFile(atPath: file, contents: Data(text.utf8)))
        let result = DevctlRunner.run(["-f", file, "status"], directory: root, environment: [:], timeout: 120)
        #expect(result.exitCode == 2, "\(result.exitCode) \(result.stderr.prefix(500))")
        #expect(result.stderr.hasPrefix("error: "))
        // The header, at most 200 problems, and "… and N more".
        #expect(result.stderr.split(separator: "\n").count <= 202)
    }

    /// 1e300 passed validation, `start` spawned the service, then trapped converting the number to
    /// a Duration ("Double value cannot be converted"), leaving the service running untracked.
    @Test(arguments: ["timeout", "interval"])
    func aHugeHealthCheckTimeIsRefusedBeforeAnythingStarts(key: String) throws {
        let port = FreePort.next()
        let project = TestProject(#"""
            {"services": [{"name": "api", "command": ["sleep", "300"], "healthcheck": {"tcp": \#(port), "\#(key)": 1e300}}]}
            """#)
        defer { project.cleanUp() }
        let result = project.devctl("start")
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("services[0].healthcheck.\(key): expected a number of seconds above 0 and at most"), "\(result)")
        #expect(!result.stderr.contains("Fatal error"), "\(result)")
        #expect(project.markedProcesses.isEmpty, "nothing is spawned from a file that is refused")
    }

    /// The lock's wait is the one number devctl reads from its environment; 1e300 trapped the same way.
    @Test func aHugeLockTimeoutIsRefusedWithAMessage() {
        let project = TestProject(#"{"services": [{"name": "api", "command": ["sleep", "300"]}]}"#)
        defer { project.cleanUp() }
        for value in ["1e300", "-1", "nan", "soon"] {
            project.extraEnvironment["DEVCTL_LOCK_TIMEOUT"] = value
            let result = project.devctl("stop")
            #expect(result.exitCode == 2, "DEVCTL_LOCK_TIMEOUT=\(value): \(result)")
            #expect(result.stderr == "error: DEVCTL_LOCK_TIMEOUT: expected a number of seconds from 0 to 3600, got '\(value)'\n",
                    "\(result)")
        }
        project.extraEnvironment["DEVCTL_LOCK_TIMEOUT"] = "3600"
        #expect(project.devctl("stop").exitCode == 0)
    }

    /// A service called `--` (which `init --from-procfile` used to make of a non-ASCII name) meant
    /// `devctl stop --` stopped everything instead.
    @Test func aServiceNameThatReadsAsAnOptionIsRefusedByStart() {
        let project = TestProject(#"{"services": [{"name": "--", "command": ["sleep", "300"]}, {"name": "api", "command": ["sleep", "301"]}]}"#)
        defer { project.cleanUp() }
        let result = project.devctl("start")
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains(#"services[0].name: a service name must start with a letter, digit or '_', not '-'"#), "\(result)")
        #expect(project.markedProcesses.isEmpty)
    }

    @Test(arguments: ["a/b", "..", "../etc", "a\nb", "a:b", "api:4711", "a b", "", "-", "--", "-x"])
    func namesThatWouldCorruptTrackingLinesOrPathsAreRejected(name: String) throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let quoted = String(decoding: try JSONSerialization.data(withJSONObject: [name], options: .fragmentsAllowed), as: UTF8.self)
        let text = #"{"services": [{"name": \#(quoted.dropFirst().dropLast()), "command": "true"}]}"#
        do {
            _ = try ConfigLoader.parse(data: Array(text.utf8), file: root + "/services.json")
            Issue.record("name \(quoted) was accepted")
        } catch {
            #expect(error.problems.contains { $0.path == "services[0].name" }, "\(error)")
        }
    }
}
