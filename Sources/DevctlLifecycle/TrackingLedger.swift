import DevctlProcesses
import DevctlSystem
import DevctlTracking

/// The tracking entries during a start, written through at once: a PID is recorded the moment
/// its process exists, and a service that cannot be recorded is taken down again, because a
/// service the files do not name is one a later `stop` could find only by its marker.
struct TrackingLedger: Sendable {
    let store: TrackingStore
    private(set) var entries: [TrackedService]
    /// Configuration order, so the files read like services.json.
    let order: [String]
    /// The services this start spawned, in spawn order (what Ctrl-C must take down again).
    private(set) var spawned: [String] = []

    init(store: TrackingStore, entries: [TrackedService], order: [String]) {
        self.store = store
        self.entries = entries
        self.order = order
    }

    /// Records adopted leaders as found and drops cleared entries, in one write.
    mutating func apply(_ plan: StartPlan) throws {
        var updated = entries
        for (name, leader) in plan.adopted {
            let current = TrackedService(name: name, pid: leader.pid, pgid: leader.pgid, startTime: leader.stat.startTime)
            guard !updated.contains(current) else { continue }
            updated.removeAll { $0.name == name }
            updated.append(current)
        }
        let cleared = Set(plan.cleared.map(\.name))
        updated.removeAll { cleared.contains($0.name) }
        guard updated != entries else { return }
        entries = updated
        try store.write(ordered())
    }

    /// Records a leader just spawned; if that fails, the leader is killed and reaped again.
    mutating func record(_ entry: TrackedService) throws {
        entries.append(entry)
        do {
            try store.write(ordered())
        } catch {
            entries.removeAll { $0 == entry }
            throw TrackingWriteError(service: entry.name, pid: entry.pid, directory: store.directory,
                                     cause: "\(error)", cleanup: ServiceLauncher.revoke(entry.pid))
        }
        spawned.append(entry.name)
    }

    /// Names `entry` as its service's tracked process instead of the one before (a service that
    /// daemonized itself is tracked by its oldest remaining process).
    mutating func replace(_ entry: TrackedService) throws {
        entries.removeAll { $0.name == entry.name }
        entries.append(entry)
        try store.write(ordered())
    }

    private func ordered() -> [TrackedService] {
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        return entries.sorted { (position[$0.name] ?? Int.max) < (position[$1.name] ?? Int.max) }
    }
}
