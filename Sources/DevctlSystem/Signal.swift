#if canImport(Glibc)
import Glibc
#endif

/// A POSIX signal number with its conventional name, so every signal devctl sends can be logged
/// and printed as `SIGTERM` rather than `15`.
public struct Signal: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32

    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    /// The corresponding C constant is `SIGTERM`.
    public static let terminate = Signal(SIGTERM)
    /// The corresponding C constant is `SIGKILL`.
    public static let kill = Signal(SIGKILL)
    /// The corresponding C constant is `SIGINT`.
    public static let interrupt = Signal(SIGINT)
    /// The corresponding C constant is `SIGHUP`.
    public static let hangup = Signal(SIGHUP)
    /// The corresponding C constant is `SIGQUIT`.
    public static let quit = Signal(SIGQUIT)
    /// The corresponding C constant is `SIGSTOP`.
    public static let stop = Signal(SIGSTOP)
    /// The corresponding C constant is `SIGCONT`.
    public static let `continue` = Signal(SIGCONT)
    /// The corresponding C constant is `SIGUSR1`.
    public static let user1 = Signal(SIGUSR1)
    /// The corresponding C constant is `SIGUSR2`.
    public static let user2 = Signal(SIGUSR2)

    private static let names: [Int32: String] = [
        SIGTERM: "SIGTERM", SIGKILL: "SIGKILL", SIGINT: "SIGINT", SIGHUP: "SIGHUP",
        SIGQUIT: "SIGQUIT", SIGSTOP: "SIGSTOP", SIGCONT: "SIGCONT", SIGUSR1: "SIGUSR1",
        SIGUSR2: "SIGUSR2", SIGPIPE: "SIGPIPE", SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT",
        SIGALRM: "SIGALRM", SIGBUS: "SIGBUS", SIGILL: "SIGILL", SIGFPE: "SIGFPE",
    ]

    public var name: String { Self.names[rawValue] ?? "signal \(rawValue)" }
    public var description: String { name }
}
