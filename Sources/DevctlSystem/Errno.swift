#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An `errno` value as a Swift error, so every failed system call can be thrown and printed
/// with the operation that failed ("kill(-4711, SIGTERM): Operation not permitted").
public struct Errno: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: CInt

    public init(rawValue: CInt) { self.rawValue = rawValue }

    /// The calling thread's current `errno`.
    public static var current: Errno { Errno(rawValue: errno) }

    public var description: String { String(cString: strerror(rawValue)) }

    public static let noSuchProcess = Errno(rawValue: ESRCH)
    public static let noSuchFile = Errno(rawValue: ENOENT)
    public static let notPermitted = Errno(rawValue: EPERM)
    public static let interrupted = Errno(rawValue: EINTR)
    public static let wouldBlock = Errno(rawValue: EWOULDBLOCK)
    public static let inProgress = Errno(rawValue: EINPROGRESS)
}

/// A failed system call: the call as the user would write it, and why it failed.
public struct SystemCallError: Error, Equatable, Sendable, CustomStringConvertible {
    public let operation: String
    public let errno: Errno

    public init(_ operation: String, _ errno: Errno) {
        self.operation = operation
        self.errno = errno
    }

    public var description: String { "\(operation): \(errno)" }

    /// The thing the call was about no longer exists: a process that exited (`ESRCH`), or its
    /// `/proc` folder vanishing under the read (`ENOENT`). Every other failure means "could not
    /// prove", never "gone".
    public var meansGone: Bool { errno == .noSuchProcess || errno == .noSuchFile }
}

/// Runs a libc call that returns -1 and sets `errno` on failure, retrying `EINTR`, and throws
/// a `SystemCallError` naming `operation` otherwise.
@discardableResult @inlinable
public func systemCall<T: BinaryInteger>(_ operation: @autoclosure () -> String, _ body: () -> T) throws(SystemCallError) -> T {
    try SyscallFaults.check(operation())
    while true {
        let result = body()
        if result != -1 { return result }
        let error = Errno.current
        if error == .interrupted { continue }
        throw SystemCallError(operation(), error)
    }
}
