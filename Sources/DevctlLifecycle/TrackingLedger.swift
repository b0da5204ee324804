import DevctlProcesses
import DevctlSystem
import DevctlTracking

/// The tracking entries during a start, written through at once: a PID is recorded the moment
/// its process exists, and a service that cannot be recorded is taken down again, because a
/// service the files do not name is one a later `stop` could find only by its marker. The files'
/// contents are kept rendered in configuration order, so recording one more leader costs one
/// write of the files, not a sort and a rendering of every entry again.
struct TrackingLedger: Sendable {
    let store: TrackingStore
    private var contents: TrackingStore.Contents
    /// Each service's place in services.json, so the files read like it; entries of services no
    /// longer configured go last, in the order they came.
    private let position: [String: Int]
    /// The services this start spawned, in spawn order (what Ctrl-C must take down again).
    private(set) var spawned: [String] = []

    var entries: [TrackedService] { contents.entries }

    init(store: TrackingStore, entries: [TrackedService], order: [String]) {
        self.store = store
        position = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        contents = TrackingStore.Contents()
        for entry in entries { contents.insert(entry, at: place(of: entry.name)) }
    }

    /// Records adopted leaders as found and drops cleared entries, in one write.
    mutating func apply(_ plan: StartPlan) throws {
        let before = contents
        for (name, leader) in plan.adopted {
            let current = TrackedService(name: name, pid: leader.pid, pgid: leader.pgid, startTime: leader.stat.startTime)
            if let index = index(of: name) {
                guard contents.entries[index] != current else { continue }
                contents.remove(at: index)
            }
            contents.insert(current, at: place(of: name))
        }
        for (name, _, _) in plan.cleared {
            while let index = index(of: name) { contents.remove(at: index) }
        }
        guard contents.entries != before.entries else { return }
        try store.write(contents)
    }

    /// Records a leader just spawned; if that fails, the leader is killed and reaped again.
    mutating func record(_ entry: TrackedService) throws {
        let before = contents
        contents.insert(entry, at: place(of: entry.name))
        do {
            try store.write(contents, keepingSpares: true)
        } catch {
            contents = before
            throw TrackingWriteError(service: entry.name, pid: entry.pid, directory: store.directory,
                                     cause: "\(error)", cleanup: ServiceLauncher.revoke(entry, store: store))
        }
        spawned.append(entry.name)
    }

    /// Removes the spare files the writes of this start kept for reuse.
    func finish() { store.removeSpares() }

    /// Names `entry` as its service's tracked process instead of the one before (a service that
    /// daemonized itself is tracked by its oldest remaining process).
    mutating func replace(_ entry: TrackedService) throws {
        while let index = index(of: entry.name) { contents.remove(at: index) }
        contents.insert(entry, at: place(of: entry.name))
        try store.write(contents)
    }

    /// Where an entry of `name` goes: after every entry whose service comes before it or at the
    /// same place (a binary search: the entries are kept in that order).
    private func place(of name: String) -> Int {
        let wanted = position[name] ?? Int.max
        var low = 0, high = contents.entries.count
        while low < high {
            let middle = (low + high) / 2
            if (position[contents.entries[middle].name] ?? Int.max) <= wanted { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The entry of `name`: a configured service's sits at its place; others are searched.
    private func index(of name: String) -> Int? {
        guard position[name] != nil else { return contents.entries.lastIndex { $0.name == name } }
        let after = place(of: name)
        return after > 0 && contents.entries[after - 1].name == name ? after - 1 : nil
    }
}
