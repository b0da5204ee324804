import DevctlTestSupport
import Foundation
import Glibc

/// `python3 -m http.server` on a free loopback port, waited for until the kernel shows it
/// listening, and killed by its PID when stopped.
final class PythonHTTPServer {
    let process = Process()
    let port: Int

    init() throws {
        let reserved = try LoopbackSocket(listening: false)
        port = reserved.port
        reserved.close()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "http.server", String(port), "--bind", "127.0.0.1"]
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let process = process, port = port
        TestProcesses.waitUntil { !process.isRunning || KernelPortListeners.processes(on: port).contains(process.processIdentifier) }
        guard process.isRunning, KernelPortListeners.processes(on: port).contains(process.processIdentifier) else {
            let reason = process.isRunning ? "it did not listen within 10 s" : "it exited with status \(process.terminationStatus)"
            stop()
            throw NetworkFixtureError("python3 -m http.server \(port) did not start: \(reason)")
        }
    }

    var pid: Int32 { process.processIdentifier }

    func stop() {
        // Once Foundation has reaped it, its PID may be someone else's: never signal it then.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
