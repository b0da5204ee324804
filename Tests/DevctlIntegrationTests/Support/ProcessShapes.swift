#if canImport(Glibc)
import Glibc
#endif
import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlSystem
import DevctlText
import DevctlTracking
import DevctlTestSupport
import Foundation
import Testing

/// Adversarial process shapes, declared in a word and turned into a service's `command` (mostly
/// the small scripts under Tests/Fixtures), so a test reads as the situation it sets up:
/// `TestProject(shapes: ["bomb": .forkBomb(depth: 2, width: 3)], stopTimeout: 1)`.
enum ProcessShape {
    /// One process that sleeps.
    case sleeps
    /// A leader with a child and a grandchild in its group.
    case tree
    /// A leader with `count` sleeping children in its group.
    case forks(Int)
    /// Processes that ignore SIGTERM and keep forking (`depth` levels of `width`), bounded by
    /// `RLIMIT_NPROC` where the kernel enforces it and by a loop count everywhere.
    case forkBomb(depth: Int, width: Int)
    /// A leader and child that ignore SIGTERM: only SIGKILL ends them.
    case ignoresTerm
    /// The leader exits at once on SIGTERM, its child ignores it and stays in the group.
    case childIgnoresTermParentExits
    /// Closes its stdout and stderr, then runs on.
    case closesStdout
    /// Writes this many megabytes of log lines as fast as it can, then idles.
    case writes(megabytes: Int)
    /// A double-forked `setsid` daemon that leaves the service's session; writes its PID to the file.
    case escapes(pidFile: String)
    /// Runs `text` with `/bin/sh -c`.
    case shell(String)

    /// The value of `command` in services.json.
    var command: Any {
        switch self {
        case .sleeps: ["sleep", "300"]
        case .tree: [Fixtures.path("tree.sh")]
        case .forks(let count): [Fixtures.path("forks.sh"), "\(count)"]
        case .forkBomb(let depth, let width):
            Self.limitingProcesses(to: 512) + [Fixtures.path("fork-bomb.sh"), "\(depth)", "\(width)"]
        case .ignoresTerm: [Fixtures.path("ignore-term.sh")]
        case .childIgnoresTermParentExits: [Fixtures.path("child-ignores-term.sh")]
        case .closesStdout: [Fixtures.path("closes-stdout.sh")]
        case .writes(let megabytes): [Fixtures.path("writes.sh"), "\(megabytes)"]
        case .escapes(let pidFile): ["python3", Fixtures.path("escape.py"), pidFile]
        case .shell(let text): text
        }
    }

    /// `prlimit --nproc=N` in front of a command where prlimit exists. The kernel does not enforce
    /// RLIMIT_NPROC for root, so there the fixture's own loop bound is what keeps the bomb finite.
    static func limitingProcesses(to count: Int) -> [String] {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit") ? ["/usr/bin/prlimit", "--nproc=\(count)"] : []
    }

    /// Whether RLIMIT_NPROC binds this test run (it does not for root).
    static var processLimitIsEnforced: Bool { geteuid() != 0 }

    /// A services.json with one service per shape, in order; `extra` adds keys per service
    /// (`["api": ["healthcheck": ["command": "false"]]]`).
    static func config(_ services: KeyValuePairs<String, ProcessShape>, stopTimeout: Double? = nil,
                       extra: [String: [String: Any]] = [:]) -> String {
        var document: [String: Any] = [:]
        if let stopTimeout { document["stopTimeout"] = stopTimeout }
        document["services"] = services.map { name, shape -> [String: Any] in
            var service: [String: Any] = ["name": name, "command": shape.command]
            service.merge(extra[name] ?? [:]) { _, new in new }
            return service
        }
        let data = try! JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}

extension TestProject {
    /// A project whose services have the given shapes.
    convenience init(shapes: KeyValuePairs<String, ProcessShape>, stopTimeout: Double? = nil,
                     extra: [String: [String: Any]] = [:]) {
        self.init(ProcessShape.config(shapes, stopTimeout: stopTimeout, extra: extra))
    }

    /// The live session leaders carrying this test's marker, by their `DEVCTL_SERVICE`: what a
    /// user would call "the service's main process", whatever the tracking files say.
    var liveLeaders: [String: [Int32]] {
        var result = [String: [Int32]]()
        for pid in markedProcesses {
            guard KernelProcessEntry(pid: pid)?.session == pid,
                  let service = KernelProcessEntry.environment(of: pid)?["DEVCTL_SERVICE"] else { continue }
            result[service, default: []].append(pid)
        }
        return result
    }

    /// `status --json` parsed: the service objects by name, and the run itself.
    func statusJSON() throws -> (RunResult, [String: [String: Any]]) {
        let result = devctl("status", "--json")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        var services = [String: [String: Any]]()
        for service in json?["services"] as? [[String: Any]] ?? [] {
            if let name = service["name"] as? String { services[name] = service }
        }
        return (result, services)
    }

    /// `stop --json EXTRA…` parsed (required to be a JSON object), and the run itself.
    func stopJSON(_ extra: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> (RunResult, [String: Any]) {
        let result = devctl(arguments: ["stop", "--json"] + extra)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result)",
                                sourceLocation: sourceLocation)
        return (result, json)
    }

    /// The `DEVCTL_PROJECT` value devctl gives this project's services.
    var marker: String {
        let canonical = canonicalRoot
        let name = (try? JSONSerialization.jsonObject(with: Data((read("services.json") ?? "").utf8)) as? [String: Any])?["project"] as? String
        return Project.marker(project: name ?? URL(fileURLWithPath: canonical).lastPathComponent, root: canonical)
    }
}

/// Reading the report of `stop --json`.
enum StopReport {
    /// The entry of service `name`.
    static func service(_ json: [String: Any], _ name: String) -> [String: Any]? {
        (json["services"] as? [[String: Any]])?.first { $0["name"] as? String == name }
    }

    /// The outcome of service `name`: graceful, forced, …
    static func outcome(_ json: [String: Any], _ name: String) -> String? {
        service(json, name)?["outcome"] as? String
    }
}
