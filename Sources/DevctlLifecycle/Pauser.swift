import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif

/// What `pause` and `resume` do to a service's whole process tree.
public enum PauseAction: String, Sendable {
    case pause, resume

    /// SIGSTOP to freeze (it cannot be caught or ignored), SIGCONT to thaw.
    var signal: Signal { self == .pause ? .stop : .continue }
}

/// How pausing or resuming one service ended.
public enum PauseOutcome: Sendable, Equatable {
    /// Signalled; every process of its tree (`processes` of them) is now in the wanted state.
    case done(pid: Int32, processes: Int)
    /// Nothing to do: already paused (for `pause`) or not paused (for `resume`).
    case unchanged(pid: Int32)
    /// Signalled, but `remaining` processes of its tree did not reach the wanted state in time.
    case incomplete(pid: Int32, remaining: Int)
    /// Not running (with why, for a dead entry: "exited"): an error for that service.
    case notRunning(String?)
    /// A signal or a `/proc` read failed: the service's state is not what was asked.
    case failed(pid: Int32, reason: String)

    public var isFailure: Bool {
        switch self {
        case .done, .unchanged: false
        case .incomplete, .notRunning, .failed: true
        }
    }
}

/// Freezes and thaws services: SIGSTOP or SIGCONT to the service's process group while its trusted
/// leader proves the group is still the service's, and to every process of its tree outside the
/// group (a child that called setsid), each by identity. Then it checks `/proc` until every
/// process of the tree shows the new state, signalling any that appeared meanwhile. The caller
/// holds the lock.
public struct Pauser: Sendable {
    public let project: Project
    /// How long to wait for every process of a tree to show the new state.
    public var settleTimeout: Double = 5

    public init(project: Project) { self.project = project }

    /// Pauses or resumes `names` (each a configured service), in the order given.
    public func run(_ action: PauseAction, names: [String]) throws -> [(name: String, outcome: PauseOutcome)] {
        let selected = try project.resolveNames(names)
        let tracking = try project.store.read()
        let scan = try ProjectScan.take(.services(tracked: Set(tracking.entries.map(\.pid))), for: project)
        let inspection = ServiceInspector(project: project).inspect(tracking, scan: scan)
        return selected.map { name in
            let outcome = apply(action, to: inspection.runtime(name))
            record(action, name: name, outcome: outcome)
            return (name, outcome)
        }
    }

    private func apply(_ action: PauseAction, to runtime: ServiceRuntime?) -> PauseOutcome {
        guard let runtime, let leader = runtime.leader else {
            return .notRunning(runtime?.note)
        }
        let populated = runtime.cgroups.filter(\.populated)
        if !populated.isEmpty { return freeze(populated, action, leader: leader, processes: runtime.processes.count) }
        let needsSignal: (ProcessEntry) -> Bool = { action == .pause ? !$0.isStopped : $0.isStopped }
        guard runtime.processes.contains(where: needsSignal) else { return .unchanged(pid: leader.pid) }

        var processes = runtime.processes
        let deadline = ContinuousClock.now + .seconds(settleTimeout)
        var backoff = Backoff(maximum: 0.02)
        while true {
            let failures = SafeSignal.send(action.signal, toTree: processes.filter(needsSignal), leader: leader.identity,
                                           group: leader.pgid)
            if let failure = failures.first { return .failed(pid: leader.pid, reason: "\(failure)") }
            // A process forked before the signal arrived joins the tree: the next scan finds it.
            do {
                processes = try ProcessSnapshot.scan().tree(of: leader.identity)
            } catch {
                return .failed(pid: leader.pid, reason: "\(error)")
            }
            let pending = processes.filter(needsSignal)
            if processes.isEmpty { return .notRunning("exited") }
            if pending.isEmpty { return .done(pid: leader.pid, processes: processes.count) }
            if ContinuousClock.now >= deadline { return .incomplete(pid: leader.pid, remaining: pending.count) }
            backoff.pause()
        }
    }

    /// With containment: `cgroup.freeze`, which stops every member at once — a forking tree
    /// cannot outrun it — then a wait until the kernel reports the cgroup frozen (or thawed).
    private func freeze(_ cgroups: [ServiceCgroup], _ action: PauseAction, leader: ProcessEntry, processes: Int) -> PauseOutcome {
        let wanted = action == .pause
        guard cgroups.contains(where: { $0.frozen != wanted }) else { return .unchanged(pid: leader.pid) }
        let deadline = ContinuousClock.now + .seconds(settleTimeout)
        var backoff = Backoff(maximum: 0.02)
        do {
            for cgroup in cgroups {
                guard try cgroup.folder.freeze(wanted) else { return .notRunning("its cgroup is gone") }
            }
            while try cgroups.contains(where: { try $0.folder.events()?.frozen != wanted }) {
                if ContinuousClock.now >= deadline { return .incomplete(pid: leader.pid, remaining: processes) }
                backoff.pause()
            }
        } catch {
            return .failed(pid: leader.pid, reason: "\(error)")
        }
        return .done(pid: leader.pid, processes: processes)
    }

    private func record(_ action: PauseAction, name: String, outcome: PauseOutcome) {
        let event = action.rawValue
        switch outcome {
        case .done(let pid, let processes):
            project.events.record(event, service: name, pid: pid, signal: action.signal,
                                  outcome: action == .pause ? "paused" : "resumed", detail: "\(processes) processes")
        case .unchanged(let pid):
            project.events.record(event, service: name, pid: pid,
                                  outcome: action == .pause ? "already-paused" : "not-paused")
        case .incomplete(let pid, let remaining):
            project.events.record(event, service: name, pid: pid, signal: action.signal, outcome: "incomplete",
                                  detail: "\(remaining) processes did not change state")
        case .notRunning(let reason):
            project.events.record(event, service: name, outcome: "not-running", detail: reason)
        case .failed(let pid, let reason):
            project.events.record(event, service: name, pid: pid, signal: action.signal, outcome: "failed", detail: reason)
        }
    }
}
