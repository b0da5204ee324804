#if canImport(Glibc)
import Glibc
#endif
@testable import DevctlConfig
@testable import DevctlLifecycle
import DevctlSystem
import DevctlTracking
import Foundation
import Testing

/// The `log` health check reads what the service wrote in its newest run, and nothing else: not
/// an earlier run's lines, not devctl's own headers and notes, not the stamps — also when rotation
/// has moved the run's header into `NAME.log.1`.
@Suite struct LogReadinessTests {
    static let started = "2026-12-04T19:48:38.123Z "

    /// A stamped line, as a keeper writes it.
    static func stamped(_ text: String) -> String { started + text + "\n" }

    static func start(_ restart: Int = 0) -> String {
        stamped(ServiceLog.runHeader(service: "api", pid: 4711, restart: restart, command: "./serve"))
    }

    static func probe(_ pattern: String, _ files: [String: String]) throws -> ProbeResult {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        for (name, text) in files { try FileSystem.writeAtomically(folder + "/" + name, Array(text.utf8)) }
        return try LogReadiness(pattern: pattern).probe(logFile: folder + "/api.log")
    }

    // MARK: The newest run

    @Test func matchesALineOfTheNewestRun() throws {
        let log = Self.start() + Self.stamped("booting") + Self.stamped("listening on :8000")
        #expect(try Self.probe("listening on :\\d+", ["api.log": log]) == .healthy)
        #expect(try Self.probe("^listening", ["api.log": log]) == .healthy, "the stamp is not part of the text")
        #expect(try Self.probe("ready", ["api.log": log]) == .unhealthy("no line matched /ready/ yet"))
    }

    @Test func ignoresTheLinesOfEarlierRuns() throws {
        let log = Self.start() + Self.stamped("ready") + Self.stamped(ServiceLog.note("exit", service: "api", "exited with status 1"))
            + Self.start(1) + Self.stamped("booting")
        #expect(try Self.probe("ready", ["api.log": log]) == .unhealthy("no line matched /ready/ yet"))
        #expect(try Self.probe("ready", ["api.log": log + Self.stamped("ready again")]) == .healthy)
    }

    @Test func neverMatchesDevctlsOwnLines() throws {
        let log = Self.start() + Self.stamped(ServiceLog.note("keeper", service: "api", "supervising"))
            + Self.stamped(ServiceLog.note("exit", service: "api", "exited with status 1; restarting in 1 s"))
        for pattern in ["devctl", "supervising", "restarting", "api", "./serve", "2026"] {
            #expect(try Self.probe(pattern, ["api.log": log]) == .unhealthy("no line matched /\(pattern)/ yet"))
        }
    }

    @Test func readsALogWrittenBeforeLinesWereStamped() throws {
        let legacy = "==> devctl 2024-05-01T10:00:00.000Z start api: ./serve\nready\n==> devctl 2024-05-01T10:05:00Z start api: ./serve\nbooting\n"
        #expect(try Self.probe("ready", ["api.log": legacy]) == .unhealthy("no line matched /ready/ yet"))
        #expect(try Self.probe("^booting$", ["api.log": legacy]) == .healthy)
        #expect(try Self.probe("ready", ["api.log": legacy + Self.stamped("ready")]) == .healthy, "a stamped line after an unstamped header")
    }

    @Test func matchesWhatALineSaysWithoutItsCarriageReturn() throws {
        #expect(try Self.probe("^ready$", ["api.log": Self.start() + Self.started + "ready\r\n"]) == .healthy)
    }

    /// A service that prints a prompt does not end it with a newline.
    @Test func matchesALineStillBeingWritten() throws {
        #expect(try Self.probe("ready>", ["api.log": Self.start() + Self.started + "ready> "]) == .healthy)
    }

    @Test func doesNotMatchAcrossLines() throws {
        #expect(try Self.probe("one.two", ["api.log": Self.start() + Self.stamped("one") + Self.stamped("two")])
            == .unhealthy("no line matched /one.two/ yet"))
    }

    // MARK: Rotation

    @Test func findsTheRunHeaderInTheRotatedFile() throws {
        let files = [
            "api.log.1": Self.start() + Self.stamped("ready (old run)") + Self.start(1) + Self.stamped("migrating"),
            "api.log": Self.stamped("listening"),
        ]
        #expect(try Self.probe("listening", files) == .healthy)
        #expect(try Self.probe("migrating", files) == .healthy, "the run's lines before the rotation count")
        #expect(try Self.probe("old run", files) == .unhealthy("no line matched /old run/ yet"))
    }

    @Test func looksNoFurtherThanTheHeaderInTheCurrentFile() throws {
        let files = [
            "api.log.1": Self.start() + Self.stamped("ready"),
            "api.log": Self.start(1) + Self.stamped("booting"),
        ]
        #expect(try Self.probe("ready", files) == .unhealthy("no line matched /ready/ yet"))
    }

    /// Between the rename and the next line, the run's output is all in `NAME.log.1`.
    @Test func readsTheRotatedFileWhileTheCurrentOneIsNotThereYet() throws {
        #expect(try Self.probe("ready", ["api.log.1": Self.start() + Self.stamped("ready")]) == .healthy)
        #expect(try Self.probe("ready", [:]) == .unhealthy("no line matched /ready/ yet"))
    }

    /// The end of a log bigger than the window holds no header: its header is further back in the
    /// same file, and `NAME.log.1` holds an earlier run.
    @Test func readsOnlyTheEndOfABigLogAndNotTheRotatedFileBehindIt() throws {
        let tick = Self.stamped("tick")
        let filler = String(repeating: tick, count: LogReadiness.window / tick.utf8.count + 100)
        let files = [
            "api.log.1": Self.start() + Self.stamped("ready"),
            "api.log": Self.start(1) + Self.stamped("early") + filler + Self.stamped("late"),
        ]
        #expect(try Self.probe("late", files) == .healthy)
        #expect(try Self.probe("ready", files) == .unhealthy("no line matched /ready/ yet"))
        #expect(try Self.probe("early", files) == .unhealthy("no line matched /early/ yet"), "past the window")
    }

    // MARK: Files devctl never reads through

    @Test func refusesALinkAndAFIFO() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let victim = folder + "/victim", link = folder + "/api.log", fifo = folder + "/web.log"
        try FileSystem.writeAtomically(victim, Array((Self.start() + Self.stamped("ready")).utf8))
        #expect(symlink(victim, link) == 0)
        let readiness = try LogReadiness(pattern: "ready")
        #expect(readiness.probe(logFile: link) == .unhealthy("'\(link)' is a symbolic link, not a regular file"))
        #expect(mkfifo(fifo, 0o644) == 0)
        let result = FileKindFixture.outcome(releasing: fifo) { readiness.probe(logFile: fifo) }
        #expect(result == .unhealthy("'\(fifo)' is a FIFO, not a regular file"), "nil: the probe waited for a writer")
    }

    // MARK: The runner

    @Test func theRunnerProbesTheServicesLogUnderPids() throws {
        let folder = FileKindFixture.folder()
        defer { FileKindFixture.removeFolder(folder) }
        let api = ServiceConfig(name: "api", command: .shell("./serve"), cwd: folder,
                                healthcheck: HealthCheck(kind: .log(pattern: "listening")))
        let project = Project(config: ServicesConfig(project: "p", root: folder, file: folder + "/services.json", services: [api]))
        let runner = HealthCheckRunner(launcher: ServiceLauncher(project: project, baseEnvironment: [:]))
        #expect(runner.probe(api, timeout: 1) == .unhealthy("no line matched /listening/ yet"))
        try project.store.prepare()
        try FileSystem.writeAtomically(project.store.logFile(for: "api"), Array((Self.start() + Self.stamped("listening")).utf8))
        #expect(project.store.logFile(for: "api") == folder + "/.pids/logs/api.log")
        #expect(runner.probe(api, timeout: 1) == .healthy)
    }

    @Test func theCacheHandsOutCompiledChecksAndNoneForABadPattern() {
        let cache = LogReadiness.Cache()
        #expect(cache.readiness(for: "ready")?.pattern == "ready")
        #expect(cache.readiness(for: "(") == nil)
    }
}
