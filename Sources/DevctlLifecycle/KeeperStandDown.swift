import DevctlProcesses
import DevctlSystem
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif

/// Tells keepers to stand down before anything of their services is signalled (SPEC §5), so no
/// restart races a stop: SIGUSR1 to each live keeper (identity-checked), then each keeper's own
/// lock taken and released — a keeper restarts only while holding it, and looks for a stand-down
/// first, so once the lock was ours no restart is half-made and none will follow. A keeper that
/// is gone (SIGKILLed) needs nothing: its service is unsupervised and stops like any other.
enum KeeperStandDown {
    /// The longest a keeper's lock is waited for: a restart holds it for a spawn, milliseconds.
    static let lockTimeout: Double = 2

    /// The keepers of `services` that were alive and told; failures are returned as problems.
    @discardableResult
    static func tell(_ services: [String], store: TrackingStore) -> (told: [String: ProcessIdentity], problems: [String]) {
        var told = [String: ProcessIdentity]()
        var problems = [String]()
        for service in services {
            guard let record = store.supervision(of: service) else { continue }
            do {
                if try SafeSignal.send(.user1, to: record.keeper) == .delivered { told[service] = record.keeper }
            } catch {
                problems.append("cannot tell the keeper of '\(service)' to stand down: \(error)")
            }
        }
        for service in told.keys {
            // A keeper creates its lock the first time it restarts, and looks for a stand-down
            // only after taking it: with no lock file yet, the signal sent above will be seen.
            guard FileSystem.exists(store.keeperLockFile(for: service)) else { continue }
            let lock = FileLock(path: store.keeperLockFile(for: service))
            if lock.tryAcquire(timeout: lockTimeout, describing: "devctl stop") {
                lock.release()
            } else {
                problems.append("the keeper of '\(service)' did not let go of its lock")
            }
        }
        return (told, problems)
    }

    /// Waits (bounded) for told keepers to leave, which they do at once when they were waiting to
    /// restart their service, and within a second of its end otherwise.
    static func awaitExit(_ keepers: [String: ProcessIdentity], timeout: Double = 1.5) {
        let deadline = ContinuousClock.now + .seconds(timeout)
        var backoff = Backoff(maximum: 0.05)
        var left = keepers
        while true {
            left = left.filter { ProcessStat.mayBeAlive($0.value) }
            if left.isEmpty || ContinuousClock.now >= deadline { return }
            backoff.pause()
        }
    }
}
