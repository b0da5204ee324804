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

/// What one run of the built `devctl` binary produced.
struct RunResult: CustomStringConvertible {
    var exitCode: Int32
    var stdout: String
    var stderr: String
    var seconds: Double

    var description: String { "exit \(exitCode)\n--- stdout ---\n\(stdout)\n--- stderr ---\n\(stderr)" }
}

/// Runs the built `devctl` binary as a user would, with stdout and stderr captured to files (no
/// pipe can fill up), in its own process group so a hung run can be killed whole.
enum DevctlRunner {
    /// The `devctl` executable built next to the test bundle.
    static let binary: String = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("devctl").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../.build/debug/devctl").standardized.path
        return fallback
    }()

    /// Starts devctl without waiting; the caller reaps it with `finish`.
    /// With `shell`, `arguments` go to /bin/sh instead of devctl.
    static func launch(_ arguments: [String], directory: String, environment: [String: String], shell: Bool = false) -> (pid: Int32, out: String, err: String) {
        let out = NSTemporaryDirectory() + "devctl-out-\(UUID().uuidString)"
        let err = out + ".err"
        let outFD = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        let errFD = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        defer { close(outFD); close(errFD) }
        let pid = try! Spawner.spawn(arguments: (shell ? ["/bin/sh"] : [binary]) + arguments, environment: environment, workingDirectory: directory,
                                     outputDescriptor: outFD, errorDescriptor: errFD, placement: .newProcessGroup)
        return (pid, out, err)
    }

    /// Waits for a launched devctl (killing its group after `timeout`) and collects its output.
    static func finish(_ launched: (pid: Int32, out: String, err: String), began: Date = Date(), timeout: Double = 120) -> RunResult {
        var status: ExitStatus?
        while status == nil {
            status = Spawner.reap(launched.pid)
            if status == nil {
                if Date().timeIntervalSince(began) > timeout {
                    kill(-launched.pid, SIGKILL)
                    status = Spawner.reap(launched.pid, blocking: true)
                    break
                }
                usleep(5_000)
            }
        }
        let stdout = (try? String(contentsOfFile: launched.out, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: launched.err, encoding: .utf8)) ?? ""
        unlink(launched.out)
        unlink(launched.err)
        let code: Int32 = switch status {
        case .exited(let code): code
        case .signalled(let signal): 128 + signal.rawValue
        case nil: -1
        }
        return RunResult(exitCode: code, stdout: stdout, stderr: stderr, seconds: Date().timeIntervalSince(began))
    }

    static func run(_ arguments: [String], directory: String, environment: [String: String], shell: Bool = false,
                    timeout: Double = 120) -> RunResult {
        let began = Date()
        return finish(launch(arguments, directory: directory, environment: environment, shell: shell), began: began, timeout: timeout)
    }
}
