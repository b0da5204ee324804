import Foundation

/// What a devctl started with `DevctlRunner.launch` has printed so far, for tests that act on a
/// long-running command (`logs -f`, `up`) while it runs.
enum LaunchedOutput {
    static func stdout(of launched: (pid: Int32, out: String, err: String)) -> String {
        (try? String(contentsOfFile: launched.out, encoding: .utf8)) ?? ""
    }

    /// Waits (generously: the machine may be busy) until its stdout contains `text`.
    @discardableResult
    static func wait(_ launched: (pid: Int32, out: String, err: String), for text: String, timeout: Double = 30) -> Bool {
        TestProcesses.waitUntil(timeout: timeout) { stdout(of: launched).contains(text) }
    }
}
