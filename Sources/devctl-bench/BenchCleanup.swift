#if canImport(Glibc)
import Glibc
#endif
import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation
import Synchronization

/// Knows every process the benchmark started and takes them all down, on success, on failure and
/// on Ctrl-C. Each devctl run gets `DEVCTL_BENCH_RUN=<id>` in its environment and passes it on to
/// the services it spawns, so the benchmark's processes are exactly those carrying this run's id;
/// the idle processes of the `/proc` scan are the benchmark's own children in groups it created.
/// Nothing else on the shared machine is ever signalled.
final class BenchCleanup: Sendable {
    static let variable = "DEVCTL_BENCH_RUN"

    let runID: String
    /// The folder holding every project of this run; removed at the end.
    let directory: String
    private let groups = Mutex<Set<Int32>>([])
    /// Whether the clean-up ran; held for its whole length, so the signal thread and the main
    /// thread never clean up at the same time (or the process dies half-way through).
    private let cleanedUp = Mutex(false)
    private let interrupted = Atomic<Bool>(false)

    /// Whether a signal ended the run: failures that follow are its consequence, not news.
    var isInterrupted: Bool { interrupted.load(ordering: .relaxed) }

    init() throws(BenchError) {
        runID = "bench-\(getpid())-" + UUID().uuidString.prefix(8).lowercased()
        directory = NSTemporaryDirectory() + "devctl-" + runID
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw BenchError("cannot create '\(directory)': \(error.localizedDescription)")
        }
    }

    /// Registers a process group the benchmark created, so an interrupted run still kills it.
    func adopt(group: Int32) { groups.withLock { _ = $0.insert(group) } }

    func release(group: Int32) { groups.withLock { _ = $0.remove(group) } }

    /// The live processes carrying this run's id (zombies count as gone), with their command
    /// lines, since leftovers are reported by them.
    func marked() throws(BenchError) -> [ProcessEntry] {
        let uid = geteuid(), me = getpid()
        let request = ProcessDetailRequest(arguments: true, environmentKeys: [Self.variable], owner: uid)
        let entries: Dictionary<Int32, ProcessEntry>.Values
        do {
            entries = try ProcessSnapshot.scan(details: request).entries.values
        } catch {
            throw BenchError("cannot look for the benchmark's processes: \(error)")
        }
        return entries.filter { entry in
            entry.pid != me && entry.uid == uid && !entry.isGone && entry.environment[Self.variable] == runID
        }.sorted { $0.pid < $1.pid }
    }

    /// The live keepers of the benchmark's projects: `devctl-keeper` started with a specification
    /// inside this run's folder. They carry no run id (a keeper gets an empty environment), so
    /// `marked()` cannot see them; they leave by themselves once their service is gone.
    func keepers() throws(BenchError) -> [ProcessEntry] {
        let uid = geteuid()
        let entries: Dictionary<Int32, ProcessEntry>.Values
        do {
            entries = try ProcessSnapshot.scan(details: ProcessDetailRequest(arguments: true, environmentKeys: [], owner: uid))
                .entries.values
        } catch {
            throw BenchError("cannot look for the benchmark's keepers: \(error)")
        }
        return entries.filter { entry in
            guard entry.uid == uid, !entry.isGone, entry.arguments.count == 2, let program = entry.arguments.first else { return false }
            return (program == "devctl-keeper" || program.hasSuffix("/devctl-keeper")) && entry.arguments[1].hasPrefix(directory + "/")
        }.sorted { $0.pid < $1.pid }
    }

    /// SIGKILL to every marked process (identity-checked through a pidfd), repeated until a scan
    /// finds none, so a process forked meanwhile is caught too. Returns how many were killed.
    @discardableResult
    func killMarked() throws(BenchError) -> Int {
        var killed = Set<ProcessIdentity>()
        for _ in 0..<10 {
            let survivors = try marked()
            if survivors.isEmpty { break }
            for process in survivors {
                do {
                    if try SafeSignal.send(.kill, to: process.identity) == .delivered { killed.insert(process.identity) }
                } catch {
                    throw BenchError("cannot kill a leftover: \(error)")
                }
            }
            Poll.until(timeout: 1) { survivors.allSatisfy { (try? ProcessSnapshot.isAlive($0.identity)) == false } }
        }
        return killed.count
    }

    /// Kills everything the benchmark started and removes its folder, once.
    func runAll() {
        cleanedUp.withLock { done in
            guard !done else { return }
            for group in groups.withLock({ $0 }) where group > 1 && group != getpgrp() {
                kill(-group, SIGKILL)
            }
            do {
                try killMarked()
                try removeProjectCgroups()
            } catch {
                FileHandle.standardError.write(Data("warning: \(error)\n".utf8))
            }
            try? FileManager.default.removeItem(atPath: directory)
            done = true
        }
    }

    /// The cgroups devctl made for the benchmark's projects (`devctl-MARKER` below this process's
    /// own cgroup), killed whole and removed: an interrupted run leaves none behind.
    private func removeProjectCgroups() throws {
        guard let hierarchy = try CgroupHierarchy.current() else { return }
        let own = CgroupFolder(path: hierarchy.folder(of: hierarchy.ownCgroup))
        for project in FileSystem.subdirectories(directory) {
            let root = FileSystem.canonicalPath(directory + "/" + project) ?? directory + "/" + project
            let folder = own.child(ProjectCgroups.folderName(marker: Project.marker(project: project, root: root)))
            for service in folder.children().map(folder.child) {
                _ = try service.kill()
                _ = try service.waitUntilEmpty(until: .now + .seconds(2))
                try service.remove()
            }
            try folder.remove()
        }
    }

    /// SIGINT, SIGTERM and SIGHUP are blocked in every thread and taken by one thread that cleans
    /// up, then dies of the same signal so the shell sees what happened. Call before any other
    /// thread exists; children get an empty signal mask from the spawner.
    func installSignalHandling() {
        var set = Self.handledSignals
        pthread_sigmask(SIG_BLOCK, &set, nil)
        let thread = Thread { [self] in
            var set = Self.handledSignals
            var number: Int32 = 0
            guard sigwait(&set, &number) == 0 else { return }
            interrupted.store(true, ordering: .relaxed)
            FileHandle.standardError.write(Data("\ndevctl-bench: \(Signal(number)): killing what the benchmark started\n".utf8))
            runAll()
            signal(number, SIG_DFL)
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
            raise(number)
        }
        thread.start()
    }

    private static var handledSignals: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for number in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, number) }
        return set
    }
}

/// Waiting without fixed sleeps: check, then pause 1 ms growing to 20 ms, until a deadline.
enum Poll {
    /// True when `condition` held before `timeout` seconds passed.
    @discardableResult
    static func until(timeout: Double, _ condition: () -> Bool) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int(timeout * 1000))
        var pause: useconds_t = 1_000
        while true {
            if condition() { return true }
            if clock.now >= deadline { return false }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }
}
