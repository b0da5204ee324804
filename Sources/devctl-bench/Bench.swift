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

/// devctl-bench: measures the release `devctl` binary next to it against SPEC §7, beside the
/// legacy stop script, and kills everything it started whatever happens.
enum Bench {
    static func main(arguments: [String]) -> Int32 {
        if arguments.first == "--listen" { return TCPListener.run(Array(arguments.dropFirst())) }
        let options: BenchOptions
        do {
            switch try BenchOptions.parse(arguments) {
            case .help:
                print(BenchOptions.usage)
                return 0
            case .run(let parsed):
                options = parsed
            }
        } catch {
            printError(error.description)
            return 2
        }
        let cleanup: BenchCleanup
        do {
            cleanup = try BenchCleanup()
        } catch {
            printError(error.description)
            return 1
        }
        cleanup.installSignalHandling()
        defer { cleanup.runAll() }
        do {
            let (bench, devctl, script) = try locate()
            let clock = ContinuousClock(), began = clock.now
            let machine = Machine.current()
            let runner = BenchRunner(options: options, bench: bench, devctl: devctl, legacyScript: script,
                                     cleanup: cleanup) { step in
                printError("… \(step)", prefix: "")
            }
            let rows = try runner.run()
            let leftovers = try cleanup.killMarked()
            if leftovers > 0 { printError("warning: killed \(leftovers) process(es) the benchmark left running") }
            let report = BenchReport(rows: rows, machine: machine, options: options, devctl: devctl,
                                     seconds: (clock.now - began).seconds)
            print(options.json ? report.json().rendered() : report.table())
            return report.allMet ? 0 : 1
        } catch {
            if !cleanup.isInterrupted { printError("\(error)") }
            return 1
        }
    }

    /// This binary, the `devctl` binary beside it (`.build/release/`), and the legacy script found
    /// by walking up to the package root.
    private static func locate() throws(BenchError) -> (bench: String, devctl: String, script: String) {
        guard let executable = FileSystem.readLink("/proc/self/exe") else {
            throw BenchError("cannot read /proc/self/exe to find the devctl binary")
        }
        let folder = (executable as NSString).deletingLastPathComponent
        let devctl = folder + "/devctl"
        guard access(devctl, X_OK) == 0 else {
            throw BenchError("no devctl binary beside the benchmark at '\(devctl)'; run 'swift build -c release' first")
        }
        var directory = folder
        while directory != "/" && !directory.isEmpty {
            let candidate = directory + "/Benchmarks/legacy/stop-dev.sh"
            if access(candidate, R_OK) == 0 { return (executable, devctl, candidate) }
            directory = (directory as NSString).deletingLastPathComponent
        }
        throw BenchError("cannot find Benchmarks/legacy/stop-dev.sh above '\(folder)'")
    }

    private static func printError(_ message: String, prefix: String = "error: ") {
        FileHandle.standardError.write(Data((prefix + message + "\n").utf8))
    }
}
