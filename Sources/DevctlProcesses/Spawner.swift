import DevctlSystem
#if canImport(Glibc)
import Glibc
#endif
import CDevctlShims

/// Why a command could not be started: a result the user can act on ("'pyhton3' not found in
/// PATH"), not a crash.
public struct SpawnError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(message: String) { self.message = message }

    public var description: String { message }
}

/// Starts processes, the only way devctl creates children. Service leaders get a new session
/// (PID = PGID = SID), joined to their cgroup before their first instruction where one is given,
/// by devctl's own clone3/fork spawner, which resets every signal — glibc's internal 32 and 33
/// too — to its default; helpers get a process group of their own through `posix_spawn`. All get
/// an empty signal mask whatever thread spawns them, and no descriptor but 0–2.
public enum Spawner {
    public enum Placement: Sendable { case newSession, newProcessGroup }

    /// Where a program is looked up when the environment has no `PATH`.
    public static let defaultSearchPath = "/usr/local/bin:/usr/bin:/bin"

    /// Spawns `arguments` (the first is looked up in the child's `PATH` unless it contains `/`) in
    /// `workingDirectory` (nil: devctl's own). Output goes to `outputDescriptor` (-1: /dev/null),
    /// stderr to `errorDescriptor` when given (else the same place). A new session joins `cgroup`
    /// when given. Returns the child's PID.
    public static func spawn(arguments: [String], environment: [String: String], workingDirectory: String?,
                             outputDescriptor: Int32, errorDescriptor: Int32? = nil,
                             placement: Placement, cgroup: CgroupFolder? = nil) throws(SpawnError) -> Int32 {
        let errorDescriptor = errorDescriptor ?? outputDescriptor
        guard let program = arguments.first, !program.isEmpty else { throw SpawnError(message: "empty command") }
        let executable = try resolve(program, path: environment["PATH"] ?? defaultSearchPath, from: workingDirectory)
        let environmentLines = environment.map { "\($0.key)=\($0.value)" }.sorted()
        var joining: (folder: Int32, procs: Int32) = (-1, -1)
        if let cgroup {
            do {
                joining = try cgroup.openForJoining()
            } catch {
                throw SpawnError(message: "cannot join its cgroup: \(error)")
            }
        }
        defer {
            if joining.folder >= 0 { close(joining.folder) }
            if joining.procs >= 0 { close(joining.procs) }
        }
        var pid: pid_t = 0
        var code: Int32 = 0
        var step: UnsafePointer<CChar>?
        // ETXTBSY: a file just written (a script being saved) can still be open for writing in a
        // child that another thread forked meanwhile, until that child execs; it passes at once.
        var backoff = Backoff()
        for attempt in 1...5 {
            code = withCStrings(arguments) { argv in
                withCStrings(environmentLines) { envp in
                    switch placement {
                    case .newSession:
                        devctl_spawn_contained(&pid, executable, argv, envp, workingDirectory, outputDescriptor,
                                               errorDescriptor, joining.folder, joining.procs, &step)
                    case .newProcessGroup:
                        devctl_spawn_grouped(&pid, executable, argv, envp, workingDirectory, outputDescriptor, errorDescriptor)
                    }
                }
            }
            guard code == ETXTBSY, attempt < 5 else { break }
            backoff.pause()
        }
        guard code == 0 else {
            if let step, let name = Optional(String(cString: step)), name != "exec", name != "chdir" {
                throw SpawnError(message: "cannot start it (\(name)): \(Errno(rawValue: code))")
            }
            if let workingDirectory, !FileSystem.isDirectory(workingDirectory) {
                throw SpawnError(message: "cannot enter '\(workingDirectory)': \(Errno(rawValue: code))")
            }
            let located = executable.hasPrefix("/") || workingDirectory == nil ? executable : workingDirectory! + "/" + executable
            if code == ENOENT, let interpreter = missingInterpreter(of: located) {
                throw SpawnError(message: "cannot execute '\(executable)': its interpreter '\(interpreter)' does not exist")
            }
            throw SpawnError(message: "cannot execute '\(executable)': \(Errno(rawValue: code))")
        }
        return pid
    }

    /// The `#!` interpreter of a script when it does not exist: the kernel's ENOENT for an existing
    /// script otherwise reads as if the script itself were missing.
    static func missingInterpreter(of script: String) -> String? {
        guard let head = FileSystem.readBytes(script, limit: 256), head.starts(with: Array("#!".utf8)) else { return nil }
        let line = head.dropFirst(2).prefix { $0 != UInt8(ascii: "\n") }
        let interpreter = line.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }).first
            .map { String(decoding: $0, as: UTF8.self) }
        guard let interpreter, access(interpreter, F_OK) != 0 else { return nil }
        return interpreter
    }

    /// The executable a program name refers to, as `execvp` would find it.
    /// A relative path (`./tool`) is relative to `workingDirectory`, where the child execs it.
    public static func resolve(_ program: String, path: String, from workingDirectory: String? = nil) throws(SpawnError) -> String {
        if program.contains("/") {
            let located = program.hasPrefix("/") || workingDirectory == nil ? program : workingDirectory! + "/" + program
            guard access(located, F_OK) == 0 else { throw SpawnError(message: "'\(program)' does not exist") }
            guard access(located, X_OK) == 0 else { throw SpawnError(message: "'\(program)' is not executable") }
            return program
        }
        var foundButNotExecutable: String?
        for directory in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + program
            if access(candidate, X_OK) == 0, !FileSystem.isDirectory(candidate) { return candidate }
            if access(candidate, F_OK) == 0 { foundButNotExecutable = candidate }
        }
        if let candidate = foundButNotExecutable { throw SpawnError(message: "'\(candidate)' is not executable") }
        throw SpawnError(message: "'\(program)' not found in PATH")
    }

    /// Reaps `pid` if it has exited; returns its exit description ("exited with status 3",
    /// "killed by SIGKILL") or nil while it runs. Only works for devctl's own children.
    public static func reap(_ pid: Int32, blocking: Bool = false) -> ExitStatus? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if result == pid { return ExitStatus(waitStatus: status) }
            if result == -1 && errno == EINTR { continue }
            return nil
        }
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

/// How a child ended: an exit code or a signal.
public enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signalled(Signal)

    public init(waitStatus status: Int32) {
        if status & 0x7f == 0 {
            self = .exited((status >> 8) & 0xff)
        } else {
            self = .signalled(Signal(status & 0x7f))
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): "exited with status \(code)"
        case .signalled(let signal): "killed by \(signal)"
        }
    }
}
