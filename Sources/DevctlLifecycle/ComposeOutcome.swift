import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
/// What a compose step came to, in the words devctl's account prints. "Skipped" (no compose file,
/// no docker, no daemon) is a one-line note that lets `stop` go on; "failed" fails the command.
public enum ComposeOutcome: Error, Sendable, Equatable {
    /// Nothing was done, and why: "docker not installed", "docker daemon unreachable (…)".
    case skipped(String)
    /// `containers` are those started (up) or removed (down).
    case succeeded(frontEnd: String, containers: [String], detail: String)
    /// `detail` is compose's own error line, or which container did not come up.
    case failed(frontEnd: String, detail: String)
}
