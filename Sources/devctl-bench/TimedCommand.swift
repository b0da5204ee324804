#if canImport(Glibc)
import Glibc
#endif
import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation

/// Runs one command the way a user's shell would and times it from spawn to exit: the wall time a
/// user waits. Output goes to a file (no pipe can fill up), kept only to explain a failure.
struct TimedCommand: Sendable {
    let environment: [String: String]
    let outputPath: String

    /// The bench's environment, minus what would change devctl's behaviour, plus the run's id.
    init(cleanup: BenchCleanup) {
        var environment = ProcessInfo.processInfo.environment
        environment["DEVCTL_FILE"] = nil
        environment["NO_COLOR"] = "1"
        environment[BenchCleanup.variable] = cleanup.runID
        self.environment = environment
        outputPath = cleanup.directory + "/last-command.out"
    }

    /// Runs `arguments` in `directory` and returns the seconds it took; fails when the exit status
    /// is not `expected`, quoting the command's output.
    func run(_ arguments: [String], in directory: String, expecting expected: Int32 = 0) throws(BenchError) -> Double {
        let output = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw BenchError("cannot open '\(outputPath)': \(Errno.current)") }
        var status: ExitStatus?
        let seconds = try timed { () throws(BenchError) in
            defer { close(output) }
            let pid: Int32
            do {
                pid = try Spawner.spawn(arguments: arguments, environment: environment, workingDirectory: directory,
                                        outputDescriptor: output, placement: .newProcessGroup)
            } catch {
                throw BenchError("cannot run \(arguments.joined(separator: " ")): \(error)")
            }
            status = Spawner.reap(pid, blocking: true)
        }
        guard status == .exited(expected) else {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            let tail = text.split(separator: "\n").suffix(15).joined(separator: "\n")
            throw BenchError("'\(arguments.map { ($0 as NSString).lastPathComponent }.joined(separator: " "))' in \(directory) "
                             + "\(status.map(String.init(describing:)) ?? "could not be waited for"), expected exit status \(expected); "
                             + "its output ended with:\n\(tail)")
        }
        return seconds
    }
}
