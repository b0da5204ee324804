import DevctlProcesses
import DevctlSupervision
import DevctlSystem
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif

/// Starts a service's keeper and learns from it the leader it spawned: writes the keeper's
/// specification, spawns `devctl-keeper` (found beside the running devctl) in a session of its
/// own, reaps the short-lived first process of its double fork, and reads the keeper's one-line
/// answer. The keeper is then nobody's child but init's (or the nearest subreaper's), so no
/// command ever has to wait for it.
enum KeeperLaunch {
    /// The longest a keeper may take to answer: spawning is milliseconds; this only bounds a hang.
    static let answerTimeout: Int32 = 10_000

    /// `devctl-keeper` in the folder of the running executable.
    static var executable: String {
        let own = FileSystem.readLink("/proc/self/exe") ?? CommandLine.arguments[0]
        let folder = own.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return (folder.isEmpty ? "." : folder) + "/devctl-keeper"
    }

    /// A keeper spawned whose answer is not read yet: `start` spawns several keepers, then reads
    /// their answers, so they start side by side instead of one after the other.
    struct Pending: Sendable {
        let first: Int32
        let answer: Int32
    }

    /// Spawns the keeper for `spec` and returns the leader it started.
    static func start(_ spec: KeeperSpec, store: TrackingStore) throws(SpawnError) -> ProcessIdentity {
        try finish(begin(spec, store: store))
    }

    /// Writes the keeper's specification and spawns it; `finish` must follow, whatever happens.
    static func begin(_ spec: KeeperSpec, store: TrackingStore) throws(SpawnError) -> Pending {
        let specFile = store.keeperSpecFile(for: spec.service)
        do {
            try FileSystem.ensureDirectory(store.keepersDirectory)
            try FileSystem.writeAtomically(specFile, spec.encoded, mode: 0o600)
        } catch {
            throw SpawnError(message: "cannot write its keeper's specification: \(error)")
        }
        let keeper = executable
        guard access(keeper, X_OK) == 0 else {
            throw SpawnError(message: "its keeper '\(keeper)' is missing: build devctl and devctl-keeper together (swift build)")
        }
        let answer: PipeDescriptors
        do {
            answer = try PipeDescriptors()
        } catch {
            throw SpawnError(message: "cannot talk to its keeper: \(error)")
        }
        let first: Int32
        do {
            first = try Spawner.spawn(arguments: [keeper, specFile], environment: [:], workingDirectory: "/",
                                      outputDescriptor: answer.writeEnd, errorDescriptor: -1, placement: .newSession)
        } catch {
            close(answer.writeEnd)
            close(answer.readEnd)
            throw error
        }
        close(answer.writeEnd)
        return Pending(first: first, answer: answer.readEnd)
    }

    /// Reaps the first process of the keeper's double fork and reads the keeper's answer.
    static func finish(_ pending: Pending) throws(SpawnError) -> ProcessIdentity {
        defer { close(pending.answer) }
        // The first process forks the keeper and exits at once.
        _ = Spawner.reap(pending.first, blocking: true)
        let line = readAnswer(pending.answer)
        switch KeeperHandshake.parse(line) {
        case .started(let leader): return leader
        case .failed(let message): throw SpawnError(message: message)
        case nil: throw SpawnError(message: "its keeper ended without starting it\(line.isEmpty ? "" : " (it said '\(line)')")")
        }
    }

    /// The keeper's answer line, or what came before the keeper closed the pipe or the time ran out.
    private static func readAnswer(_ fd: Int32) -> String {
        var bytes = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 512)
        let deadline = ContinuousClock.now + .milliseconds(Int(answerTimeout))
        while !bytes.contains(UInt8(ascii: "\n")) {
            var watched = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&watched, 1, ContinuousClock.now.duration(to: deadline).pollTimeout)
            if ready < 0, errno == EINTR { continue }
            guard ready > 0 else { break }
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        let line = bytes.split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        return String(decoding: line, as: UTF8.self)
    }
}
