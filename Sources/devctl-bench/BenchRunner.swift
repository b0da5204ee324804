import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation

/// Runs every row of the benchmark in turn, each on a fresh project, checking after every command
/// that it did what it claims (services running after `start`, none left after `stop`) so a fast
/// but broken devctl can never produce a good figure.
struct BenchRunner {
    let options: BenchOptions
    /// This binary, which the services of the health-check row run as listeners.
    let bench: String
    let devctl: String
    let legacyScript: String
    let cleanup: BenchCleanup
    let runner: TimedCommand
    /// Progress for the person waiting, on stderr.
    let progress: (String) -> Void

    init(options: BenchOptions, bench: String, devctl: String, legacyScript: String, cleanup: BenchCleanup,
         progress: @escaping (String) -> Void) {
        self.options = options
        self.bench = bench
        self.devctl = devctl
        self.legacyScript = legacyScript
        self.cleanup = cleanup
        runner = TimedCommand(cleanup: cleanup)
        self.progress = progress
    }

    func run() throws(BenchError) -> [BenchRow] {
        var rows = try startStatusStop()
        rows += try keeperMemory()
        rows += try scaling()
        rows += try dependencies(.chain)
        rows += try dependencies(.diamond)
        rows.append(try stopWithChildren())
        rows.append(try stopWithHealthChecks())
        rows.append(try stopWithIgnorers())
        rows.append(try scan())
        rows += try killToEmpty()
        rows += try floor()
        rows.append(try legacy())
        return rows
    }

    private var n: Int { options.services }
    private var runs: Int { options.runs }

    /// `start`, `status` and `stop` of N services that exit on SIGTERM, in one cycle per run.
    private func startStatusStop() throws(BenchError) -> [BenchRow] {
        progress("start, status, stop of \(n) services (\(runs + 1) cycles)")
        let project = try BenchProject(in: cleanup.directory, name: "obedient",
                                       services: BenchProject.services(n) { _ in ServiceKind.obedient })
        var start = [Double](), status = [Double](), stop = [Double]()
        for cycle in 0...runs {
            let started = try devctl(["start"], in: project)
            try expectRunning(n, project)
            var statuses = [Double]()
            for _ in 0..<3 { statuses.append(try devctl(["status"], in: project)) }
            let stopped = try devctl(["stop"], in: project)
            try expectNoneLeft(after: "devctl stop")
            guard cycle > 0 else { continue }
            start.append(started)
            status += statuses
            stop.append(stopped)
        }
        return [
            BenchRow(id: "start", label: "start, \(n) services (no health checks)",
                     measurement: Measurement(samples: start), kind: .target(seconds: 0.5)),
            BenchRow(id: "status", label: "status, \(n) services",
                     measurement: Measurement(samples: status), kind: .target(seconds: 0.05)),
            BenchRow(id: "stop", label: "stop, \(n) services exiting on SIGTERM",
                     measurement: Measurement(samples: stop), kind: .target(seconds: 0.15)),
        ]
    }

    /// The private memory of each keeper (SPEC §7: at most 1 MiB each) of N running services, and
    /// of the one keeper of a project with a single service. Among N keepers the pages of the
    /// keeper binary are shared, so not private; a lone keeper is the only process mapping them,
    /// and smaps counts every page of it that it maps as its own. One start of each is enough: a
    /// keeper's memory does not depend on timing, and N keepers are N samples.
    private func keeperMemory() throws(BenchError) -> [BenchRow] {
        progress("private memory of the keepers of \(n) services, and of a lone keeper")
        let shared = try runningKeepers(n, project: "keepers")
        let alone = try runningKeepers(1, project: "keeper-alone")
        func row(_ id: String, _ label: String, _ keepers: [KeeperMemory.Keeper], note: String) -> BenchRow {
            BenchRow(id: id, label: label, measurement: Measurement(samples: keepers.map { Double($0.kibibytes) }),
                     kind: .budget(kibibytes: 1024), note: note)
        }
        let proportional = Measurement(samples: shared.map { Double($0.proportional) })
        return [
            row("keeperMemory", "keeper private memory, \(n) services", shared,
                note: "Private_Clean + Private_Dirty of /proc/KEEPER/smaps_rollup; the keeper binary's pages, "
                    + "shared by the \(n) keepers, are not private (with its share of them, Pss, a keeper's median is "
                    + "\(Format.kibibytes(proportional.median)))"),
            row("keeperMemoryAlone", "keeper private memory, 1 service (binary not shared)", alone,
                note: "the only process mapping the keeper binary, so its pages of it count as private: "
                    + "Private_Clean \(Format.kibibytes(Double(alone[0].privateClean))), "
                    + "Private_Dirty \(Format.kibibytes(Double(alone[0].privateDirty))); less while other keepers of the same binary run"),
        ]
    }

    /// The keepers of a fresh project of `count` services, measured while they run; then `stop`,
    /// which must take the keepers down with their services.
    private func runningKeepers(_ count: Int, project name: String) throws(BenchError) -> [KeeperMemory.Keeper] {
        let project = try BenchProject(in: cleanup.directory, name: name,
                                       services: BenchProject.services(count) { _ in ServiceKind.obedient })
        try devctl(["start"], in: project)
        try expectRunning(count, project)
        let keepers = try KeeperMemory.measure(root: project.root, services: cleanup.marked())
        guard keepers.count == count else {
            throw BenchError("'\(project.root)/.pids/services.pids' names \(keepers.count) services, expected \(count)")
        }
        try devctl(["stop"], in: project)
        try expectNoneLeft(after: "devctl stop")
        return keepers
    }

    /// `start`, `status` and `stop` of the small and the large project, and one row per command
    /// checking that the large one costs at most `growthLimit` times the small one: about linear.
    private func scaling() throws(BenchError) -> [BenchRow] {
        let small = options.smallScale, large = options.largeScale, cycles = min(runs, 3)
        var rows = [BenchRow]()
        var medians = [Int: [Double]]()
        for count in [small, large] {
            progress("start, status, stop of \(count) services (\(cycles + 1) cycles)")
            let project = try BenchProject(in: cleanup.directory, name: "scale-\(count)",
                                           services: BenchProject.services(count) { _ in ServiceKind.obedient })
            var start = [Double](), status = [Double](), stop = [Double]()
            for cycle in 0...cycles {
                let started = try devctl(["start"], in: project)
                try expectRunning(count, project, timeout: 30)
                let statusSeconds = try devctl(["status"], in: project)
                let stopped = try devctl(["stop"], in: project)
                try expectNoneLeft(after: "devctl stop")
                guard cycle > 0 else { continue }
                start.append(started)
                status.append(statusSeconds)
                stop.append(stopped)
            }
            let measured = [("start", start), ("status", status), ("stop", stop)].map { command, samples in
                BenchRow(id: "\(command)\(count)", label: "\(command), \(count) services (scale)",
                         measurement: Measurement(samples: samples), kind: .measure)
            }
            medians[count] = measured.map(\.measurement.median)
            rows += measured
        }
        for (index, command) in ["start", "status", "stop"].enumerated() {
            let ratio = medians[large]![index] / max(medians[small]![index], 1e-9)
            rows.append(BenchRow(id: "\(command)Growth", label: "\(command): \(large) services / \(small) services",
                                 measurement: Measurement(samples: [ratio]),
                                 kind: .ratio(limit: options.growthLimit),
                                 note: "\(large / small)× the services; about linear is at most \(Format.ratio(options.growthLimit))"))
        }
        return rows
    }

    /// The shapes of the dependency rows: a chain (each service depends on the one before) and a
    /// diamond (two services on one, a fourth on both).
    enum Shape: String {
        case chain, diamond

        /// Names and what each depends on, dependencies first.
        var services: [(name: String, dependsOn: [String])] {
            switch self {
            case .chain: [("db", []), ("cache", ["db"]), ("api", ["cache"]), ("proxy", ["api"])]
            case .diamond: [("db", []), ("cache", ["db"]), ("search", ["db"]), ("web", ["cache", "search"])]
            }
        }

        /// The number of services on the longest dependency path.
        var longestChain: Int {
            var depth = [String: Int]()
            for (name, dependsOn) in services { depth[name] = 1 + (dependsOn.compactMap { depth[$0] }.max() ?? 0) }
            return depth.values.max() ?? 0
        }
    }

    /// `start` and `stop` of a small real stack: services whose health check passes `healthDelay`
    /// after they start and that take `exitDelay` to exit after SIGTERM. Start must wait for the
    /// longest chain of health checks and barely more; stop for the longest chain of exits.
    private func dependencies(_ shape: Shape) throws(BenchError) -> [BenchRow] {
        let healthDelay = 0.3, exitDelay = 0.2
        let specs = shape.services, depth = shape.longestChain
        progress("start and stop of a \(shape.rawValue) of \(specs.count) services with dependencies (\(runs + 1) cycles)")
        let base = try freePorts(specs.count)
        let services = specs.enumerated().map { index, spec in
            BenchProject.Service(name: spec.name,
                                 command: ServiceKind.slowListening(on: base + index, bench: bench,
                                                                    delay: healthDelay, exitDelay: exitDelay),
                                 healthcheck: BenchProject.HealthCheck(tcp: base + index, interval: 0.02),
                                 dependsOn: spec.dependsOn.isEmpty ? nil : spec.dependsOn)
        }
        let project = try BenchProject(in: cleanup.directory, name: "dependencies-\(shape.rawValue)", services: services)
        var start = [Double](), stop = [Double]()
        for cycle in 0...runs {
            let started = try devctl(["start"], in: project)
            try expectRunning(specs.count, project)
            let stopped = try devctl(["stop"], in: project)
            try expectNoneLeft(after: "devctl stop")
            guard cycle > 0 else { continue }
            start.append(started)
            stop.append(stopped)
        }
        let startTarget = Double(depth) * healthDelay + 0.3, stopTarget = Double(depth) * exitDelay + 0.1
        let what = "\(shape.rawValue) of \(specs.count), \(depth) deep"
        return [
            BenchRow(id: "start\(shape.rawValue.capitalized)", label: "start, \(what) (health after \(Format.seconds(healthDelay)))",
                     measurement: Measurement(samples: start), kind: .target(seconds: startTarget),
                     note: "target: the longest chain of health waits (\(depth) × \(Format.seconds(healthDelay))) + 0.3 s"),
            BenchRow(id: "stop\(shape.rawValue.capitalized)", label: "stop, \(what) (exit \(Format.seconds(exitDelay)) after SIGTERM)",
                     measurement: Measurement(samples: stop), kind: .target(seconds: stopTarget),
                     note: "target: the longest chain of exits (\(depth) × \(Format.seconds(exitDelay))) + 0.1 s"),
        ]
    }

    /// `stop` of N services whose shell has three children each: 4·N processes to take down.
    private func stopWithChildren() throws(BenchError) -> BenchRow {
        progress("stop of \(n) services with 3 children each (\(runs + 1) cycles)")
        let project = try BenchProject(in: cleanup.directory, name: "children",
                                       services: BenchProject.services(n) { _ in ServiceKind.withChildren })
        let measurement = try repeatTimed(runs: runs) { () throws(BenchError) -> Double in
            try devctl(["start"], in: project)
            try expectRunning(4 * n, project)
            let seconds = try devctl(["stop"], in: project)
            try expectNoneLeft(after: "devctl stop")
            return seconds
        }
        return BenchRow(id: "stopChildren", label: "stop, \(n) services with 3 children each (\(4 * n) processes)",
                        measurement: measurement, kind: .target(seconds: 0.15))
    }

    /// `stop` of N services with TCP health checks: verification must find every port free again,
    /// which reads the kernel's listening sockets.
    private func stopWithHealthChecks() throws(BenchError) -> BenchRow {
        progress("stop of \(n) services with TCP health checks (\(runs + 1) cycles)")
        let base = try freePorts(n)
        let services = (0..<n).map { index in
            BenchProject.Service(name: "svc-\(index + 1)",
                                 command: ServiceKind.listening(on: base + index, bench: bench),
                                 healthcheck: BenchProject.HealthCheck(tcp: base + index))
        }
        let project = try BenchProject(in: cleanup.directory, name: "healthchecks", services: services)
        let measurement = try repeatTimed(runs: runs) { () throws(BenchError) -> Double in
            try devctl(["start"], in: project)
            try expectRunning(n, project)
            let seconds = try devctl(["stop"], in: project)
            try expectNoneLeft(after: "devctl stop")
            return seconds
        }
        return BenchRow(id: "stopHealthChecks", label: "stop, \(n) services with TCP health checks",
                        measurement: measurement, kind: .target(seconds: 0.15))
    }

    /// The first of `count` consecutive ports nobody listens on, below the ephemeral range (where
    /// other programs' listeners on port 0 land).
    private func freePorts(_ count: Int) throws(BenchError) -> Int {
        let listening = PortOwners.listeningPorts()
        for base in stride(from: 23_000, to: 32_000 - count, by: count)
        where (base..<base + count).allSatisfy({ !listening.contains($0) }) {
            return base
        }
        throw BenchError("no \(count) consecutive free TCP ports between 23000 and 32000")
    }

    /// `stop` of N services of which five ignore SIGTERM: the stop must last their stopTimeout
    /// and barely more.
    private func stopWithIgnorers() throws(BenchError) -> BenchRow {
        let ignoring = options.ignoring, timeout = options.stopTimeout
        progress("stop of \(n) services, \(ignoring) ignoring SIGTERM (\(runs + 1) cycles of about \(Int(timeout)) s)")
        let services = BenchProject.services(n) { $0 <= ignoring ? ServiceKind.ignoringTerm : ServiceKind.obedient }
        let project = try BenchProject(in: cleanup.directory, name: "ignorers", stopTimeout: timeout, services: services)
        let measurement = try repeatTimed(runs: runs) { () throws(BenchError) -> Double in
            try devctl(["start"], in: project)
            try expectRunning(n, project)
            let seconds = try devctl(["stop"], in: project)
            try expectNoneLeft(after: "devctl stop")
            guard seconds >= timeout else {
                throw BenchError("stop took \(Format.seconds(seconds)), less than the \(Format.seconds(timeout)) stopTimeout: "
                                 + "the services did not ignore SIGTERM")
            }
            return seconds
        }
        return BenchRow(id: "stopIgnoring", label: "stop, \(ignoring) of \(n) ignoring SIGTERM (stopTimeout \(Int(timeout)) s)",
                        measurement: measurement, kind: .target(seconds: timeout + 0.15))
    }

    /// One `/proc` scan as status, start and stop make it (no command lines), in this process,
    /// with M idle processes added to the machine's; the scan that also reads every command line
    /// is timed beside it for the note.
    private static func scanned(_ details: ProcessDetailRequest) throws(BenchError) -> ProcessSnapshot {
        do {
            return try ProcessSnapshot.scan(details: details)
        } catch {
            throw BenchError("\(error)")
        }
    }

    private func scan() throws(BenchError) -> BenchRow {
        progress("/proc scan with \(options.idle) idle processes")
        let idle = try IdleProcesses(count: options.idle, cleanup: cleanup)
        defer { idle.stop() }
        var size = 0
        let measurement = try repeatTimed(runs: runs * 3) { () throws(BenchError) -> Double in
            try timed { () throws(BenchError) in size = try Self.scanned(.none).entries.count }
        }
        let withCommandLines = try repeatTimed(runs: runs * 3) { () throws(BenchError) -> Double in
            try timed { () throws(BenchError) in _ = try Self.scanned(.everything) }
        }
        return BenchRow(id: "scan", label: "/proc scan, \(size) processes (\(options.idle) idle added)",
                        measurement: measurement, kind: .target(seconds: 0.05),
                        note: "status, start and stop scan without command lines; "
                            + "reading them too: median \(Format.seconds(withCommandLines.median))")
    }

    /// What every command costs before it does anything: the binary starting, and `status` of a
    /// project with nothing running.
    private func floor() throws(BenchError) -> [BenchRow] {
        progress("floor: devctl --version, status of a project with nothing running")
        let project = try BenchProject(in: cleanup.directory, name: "floor",
                                       services: BenchProject.services(1) { _ in ServiceKind.obedient })
        let version = try repeatTimed(runs: runs * 3) { () throws(BenchError) -> Double in
            try devctl(["--version"], in: project)
        }
        let status = try repeatTimed(runs: runs * 3) { () throws(BenchError) -> Double in
            try devctl(["status"], in: project, expecting: ExitCode.notRunning)
        }
        return [
            BenchRow(id: "floorVersion", label: "floor: devctl --version", measurement: version, kind: .floor),
            BenchRow(id: "floorStatus", label: "floor: status, nothing running", measurement: status, kind: .floor),
        ]
    }

    /// From SIGKILL to an empty cgroup for a tree of 4·N sleepers: `cgroup.kill` (one write, the
    /// kernel kills every member) against SIGKILL to each member in turn until the cgroup is
    /// empty, both ended by the kernel's "populated 0". Skipped without a writable cgroup2.
    private func killToEmpty() throws(BenchError) -> [BenchRow] {
        guard let hierarchy = try? CgroupHierarchy.current(),
              access(hierarchy.folder(of: hierarchy.ownCgroup) + "/cgroup.procs", W_OK) == 0 else {
            progress("kill to empty: skipped, no writable cgroup2 hierarchy")
            return []
        }
        let count = 4 * n
        progress("kill to empty: \(count) processes, cgroup.kill and one SIGKILL each (\(runs + 1) cycles)")
        let folder = CgroupFolder(path: hierarchy.folder(of: hierarchy.ownCgroup) + "/devctl-bench-kill-\(getpid())")
        defer { try? folder.remove() }
        var environment = ProcessInfo.processInfo.environment
        environment[BenchCleanup.variable] = cleanup.runID
        func filled() throws(BenchError) -> CgroupFolder {
            do {
                try folder.create()
                for _ in 0..<count {
                    _ = try Spawner.spawn(arguments: ServiceKind.obedient, environment: environment, workingDirectory: nil,
                                          outputDescriptor: -1, placement: .newSession, cgroup: folder)
                }
            } catch {
                throw BenchError("cannot fill the cgroup '\(folder)': \(error)")
            }
            return folder
        }
        func emptied(_ kill: (CgroupFolder) throws -> Void) throws(BenchError) -> Double {
            let cgroup = try filled()
            let began = ContinuousClock.now
            do {
                try kill(cgroup)
                guard try cgroup.waitUntilEmpty(until: .now + .seconds(10)) else { throw BenchError("the cgroup did not empty") }
            } catch {
                throw BenchError("kill to empty: \(error)")
            }
            let seconds = (ContinuousClock.now - began).seconds
            while Spawner.reap(-1) != nil {}
            return seconds
        }
        let atOnce = try repeatTimed(runs: runs) { () throws(BenchError) -> Double in
            try emptied { _ = try $0.kill() }
        }
        let oneByOne = try repeatTimed(runs: runs) { () throws(BenchError) -> Double in
            try emptied { cgroup in
                var members = try cgroup.members()
                while !members.isEmpty {
                    for pid in members { kill(pid, SIGKILL) }
                    members = try cgroup.members()
                }
            }
        }
        return [
            BenchRow(id: "killCgroup", label: "SIGKILL to empty, \(count) processes: cgroup.kill",
                     measurement: atOnce, kind: .measure),
            BenchRow(id: "killEach", label: "SIGKILL to empty, \(count) processes: one kill(2) per member",
                     measurement: oneByOne, kind: .measure),
        ]
    }

    /// The stop script devctl replaces, on N services devctl started: SIGTERM to each recorded
    /// PID, a fixed `sleep 3`, SIGKILL, files removed.
    private func legacy() throws(BenchError) -> BenchRow {
        progress("legacy stop-dev.sh on \(n) services (\(runs) runs of about 3 s)")
        let project = try BenchProject(in: cleanup.directory, name: "legacy",
                                       services: BenchProject.services(n) { _ in ServiceKind.obedient })
        let measurement = try repeatTimed(warmUp: false, runs: runs) { () throws(BenchError) -> Double in
            try devctl(["start"], in: project)
            try expectRunning(n, project)
            let seconds = try runner.run(["/bin/bash", legacyScript], in: project.root)
            try expectNoneLeft(after: "stop-dev.sh")
            return seconds
        }
        // The script knows nothing of cgroups: devctl removes the empty ones it leaves.
        try devctl(["stop"], in: project)
        return BenchRow(id: "legacyStop", label: "legacy stop-dev.sh, \(n) services", measurement: measurement,
                        kind: .reference(row: "stop"))
    }

    @discardableResult
    private func devctl(_ arguments: [String], in project: BenchProject,
                        expecting expected: Int32 = 0) throws(BenchError) -> Double {
        try runner.run([devctl] + arguments, in: project.root, expecting: expected)
    }

    /// Waits (briefly) until `count` marked processes run: a shell forks its children just after
    /// `start` returns, and the stop should find all of them.
    private func expectRunning(_ count: Int, _ project: BenchProject, timeout: Double = 5) throws(BenchError) {
        var found = 0
        let ok = Poll.until(timeout: timeout) {
            found = (try? cleanup.marked().count) ?? -1
            return found == count
        }
        guard ok else { throw BenchError("expected \(count) processes running in '\(project.root)', found \(found)") }
    }

    /// Nothing of the benchmark's runs: no service process, and no keeper (a `stop` waits for the
    /// keepers to leave, so one still there is left behind).
    private func expectNoneLeft(after command: String) throws(BenchError) {
        let left = try cleanup.marked() + cleanup.keepers()
        guard left.isEmpty else {
            let list = left.prefix(5).map { "\($0.pid) \($0.commandLine)" }.joined(separator: "; ")
            throw BenchError("\(command) left \(left.count) process(es) running: \(list)")
        }
    }
}
