/// The `restart` key of a service: when its keeper starts it again after it exits on its own
/// (SPEC §1, §5). An exit devctl caused — a stop, a restart — is never restarted.
public enum RestartPolicy: String, Sendable, Equatable, CaseIterable {
    /// Never: an exit is recorded and the service stays `dead` (or `done`, for a oneshot).
    case no
    /// After a non-zero exit, or a death by a signal devctl did not send.
    case onFailure = "on-failure"
    /// After any exit, a clean exit 0 included.
    case always
}
