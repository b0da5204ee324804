import DevctlSystem
#if canImport(Glibc)
import Glibc
#endif

/// Signals that cannot hit the wrong process: the target is opened as a pidfd, its start time is
/// checked against the snapshot devctl decided on, and only then is the signal sent through the
/// pidfd — so a PID recycled between the scan and the kill is never signalled. Every failure that
/// is not "the process is gone" is thrown, so the caller can say it could not prove the stop.
public enum SafeSignal {
    /// What became of a signal that raised no error.
    public enum Delivery: Sendable, Equatable {
        case delivered
        /// The target had exited, or its PID now names another process: nothing was sent.
        case gone
    }

    /// Sends `signal` to the process `identity` names if it is still that process.
    @discardableResult
    public static func send(_ signal: Signal, to identity: ProcessIdentity) throws(SystemCallError) -> Delivery {
        guard identity.pid > 1 else { return .gone }
        let pidfd: PidFD?
        do {
            pidfd = try PidFD(pid: identity.pid)
        } catch where error.errno.rawValue == ENOSYS {
            // A kernel without pidfds (before 5.3): the identity check and the kill are not atomic,
            // but a PID is reused only after a whole cycle of the PID space.
            guard try ProcessStat.live(identity) != nil else { return .gone }
            return try ProcessSignaller.signal(pid: identity.pid, signal) ? .delivered : .gone
        }
        guard let pidfd, try ProcessStat.live(identity) != nil else { return .gone }
        return try ProcessSignaller.signal(pidfd: pidfd, signal) ? .delivered : .gone
    }

    /// Signals the process group `pgid` as a whole — including members forked after the scan —
    /// but only while `member` (a process devctl has proven to be the service's) is still alive
    /// and still in that group, and never devctl's own group.
    @discardableResult
    public static func send(_ signal: Signal, toGroup pgid: Int32, provenBy member: ProcessIdentity) throws(SystemCallError) -> Delivery {
        // A group's id is not reused while any member lives, so a proven live member is enough.
        guard pgid > 1, pgid != getpgrp(), try ProcessStat.live(member)?.pgid == pgid else { return .gone }
        return try ProcessSignaller.signal(group: pgid, signal) ? .delivered : .gone
    }

    /// Signals a service's tree: its process group as a whole (reaching members forked after the
    /// scan) while `leader` proves it, and by identity every process listed outside that group —
    /// or every process listed, once nothing proves the group is still the service's. Returns the
    /// failures; a target that is gone is not one.
    public static func send(_ signal: Signal, toTree processes: [ProcessEntry], leader: ProcessIdentity?,
                            group: Int32?) -> [SystemCallError] {
        var failures = [SystemCallError]()
        var groupSignalled = false
        if let leader, let group, processes.contains(where: { $0.pgid == group }) {
            do {
                groupSignalled = try send(signal, toGroup: group, provenBy: leader) == .delivered
            } catch {
                failures.append(error)
            }
        }
        for process in processes where process.pgid != group || !groupSignalled {
            do {
                try send(signal, to: process.identity)
            } catch {
                failures.append(error)
            }
        }
        return failures
    }
}
