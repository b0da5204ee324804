import DevctlProcesses

/// What a keeper does when a run of its service has ended: a pure function of the policy, how the
/// run ended and how long it ran, and the restarts so far, unit-tested rule by rule.
public enum RestartDecision: Sendable, Equatable {
    /// Run again after this many seconds.
    case restart(after: Double)
    /// `maxRestarts` quick restarts in a row were not enough: the service is `failed`.
    case giveUp
    /// The policy restarts nothing: the service is `dead`, or `done` for a oneshot that exited 0.
    case stay

    /// A run at least this long resets the back-off and the count of quick restarts.
    public static let steadyRun: Double = 30
    /// The back-off doubles up to this, or to the configured delay when that is longer.
    public static let longestDelay: Double = 30

    /// The restarts made so far and the delay the next one waits.
    public struct History: Sendable, Equatable {
        /// Restarts since the last `start`.
        public var restarts = 0
        /// Restarts in a row whose run ended within `steadyRun`.
        public var quickInARow = 0
        /// Seconds the next restart waits.
        public var nextDelay: Double

        public init(firstDelay: Double) { nextDelay = firstDelay }
    }

    /// Decides after a run that ended with `exit` after `ranFor` seconds, and advances `history`
    /// for a restart. A keeper told to stand down (a stop is under way) restarts nothing.
    public static func decide(policy: KeeperSpec.Restart, exit: ExitStatus, ranFor: Double, standingDown: Bool,
                              firstDelay: Double, maxRestarts: Int, history: inout History) -> RestartDecision {
        if standingDown { return .stay }
        switch policy {
        case .no: return .stay
        case .onFailure where exit == .exited(0): return .stay
        case .onFailure, .always: break
        }
        if ranFor >= steadyRun {
            history.quickInARow = 0
            history.nextDelay = firstDelay
        }
        guard history.quickInARow < maxRestarts else { return .giveUp }
        let delay = history.nextDelay
        history.quickInARow += 1
        history.restarts += 1
        history.nextDelay = min(delay * 2, max(longestDelay, firstDelay))
        return .restart(after: delay)
    }
}
