import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A fake `docker` (and optionally `docker-compose`) alone on `PATH`, answering from a shell `case`
/// and writing each call's arguments to a log, so tests see exactly what devctl typed and how it
/// reads each kind of answer, without any engine.
public final class StandInDocker {
    /// The stand-ins' folder, also usable as a project folder.
    public let folder: String
    /// The folder of the stand-ins, for the front of a `PATH`.
    public var bin: String { "\(folder)/bin" }
    /// An environment whose `PATH` holds the stand-ins alone.
    public var environment: [String: String] { ["PATH": bin] }

    /// A healthy daemon, the compose plugin 2.27.0, and two containers of project `shop`.
    public static let defaultAnswers = #"""
        "version --format {{.Server.Version}}") echo 20.10.24 ;;
        "compose version --short") echo 2.27.0 ;;
        "ps --all --filter label=com.docker.compose.project="*)
            printf 'web\tshop-web-1\trunning\tUp 2 seconds\n'
            printf 'db\tshop-db-1\trunning\tUp 2 seconds (healthy)\n' ;;
        "compose -p "*) ;;
        *) echo "stand-in docker: unexpected call" >&2; exit 99 ;;
    """#

    /// `docker` answers with the `case` branches in `docker` first, then `defaultAnswers`; nil means
    /// no `docker` at all. `dockerCompose`, when given, is the branches of a `docker-compose`.
    public init(docker: String? = "", dockerCompose: String? = nil) throws {
        var template = Array("/tmp/devctl-standin.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Errno.current }
        folder = String(cString: made)
        try FileManager.default.createDirectory(atPath: "\(folder)/bin", withIntermediateDirectories: true)
        if let docker { try write("docker", docker + "\n" + Self.defaultAnswers) }
        if let dockerCompose { try write("docker-compose", dockerCompose) }
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    /// Every call so far, one line each: the program's name, then its arguments.
    public var calls: [String] {
        let log = (try? String(contentsOfFile: "\(folder)/calls.log", encoding: .utf8)) ?? ""
        return log.split(separator: "\n").map(String.init)
    }

    private func write(_ name: String, _ branches: String) throws {
        let script = """
            #!/bin/sh
            echo "\(name) $*" >> '\(folder)/calls.log'
            case "$*" in
            \(branches)
            esac

            """
        let path = "\(folder)/bin/\(name)"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
    }
}
