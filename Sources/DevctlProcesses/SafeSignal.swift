import DevctlSystem
#if canImport(Glibc)
import Glibc
#endif

/// Signals that cannot hit the wrong process: the target is opened as a pidfd, its start time is
/// checked against the snapshot devctl decided on, and only then is the signal sent through the
/// pidfd — so a PID recycled between the scan and the kill is never signalled.
public enum SafeSignal {
    /// Sends `signal` to the process `entry` describes if it is still that process. Returns false
    /// when it is gone or has been replaced.
    @discardableResult
    public static func send(_ signal: Signal, to identity: ProcessIdentity) -> Bool {
        guard identity.pid > 1, let pidfd = PidFD(pid: identity.pid), ProcessStat.live(identity) != nil else { return false }
        return (try? ProcessSignaller.signal(pidfd: pidfd, signal)) ?? false
    }

    /// Signals the process group `pgid` as a whole — including members forked after the scan —
    /// but only while `member` (a process devctl has proven to be the service's) is still alive
    /// and still in that group, and never devctl's own group.
    @discardableResult
    public static func send(_ signal: Signal, toGroup pgid: Int32, provenBy member: ProcessIdentity) -> Bool {
        // A group's id is not reused while any member lives, so a proven live member is enough.
        guard pgid > 1, pgid != getpgrp(), ProcessStat.live(member)?.pgid == pgid else { return false }
        return (try? ProcessSignaller.signal(group: pgid, signal)) ?? false
    }

    /// Signals a service's tree: its process group as a whole (reaching members forked after the
    /// scan) while `leader` proves it, and by identity every process listed outside that group —
    /// or every process listed, once nothing proves the group is still the service's.
    public static func send(_ signal: Signal, toTree processes: [ProcessEntry], leader: ProcessIdentity?, group: Int32?) {
        var groupSignalled = false
        if let leader, let group, processes.contains(where: { $0.pgid == group }) {
            groupSignalled = send(signal, toGroup: group, provenBy: leader)
        }
        for process in processes where process.pgid != group || !groupSignalled {
            send(signal, to: process.identity)
        }
    }
}
