import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif

/// `devctl init [--from-procfile [FILE]] [--force]`: writes a services.json in the current folder
/// (or at `-f PATH`) — a small working example, or one service per line of a Procfile — checked
/// by the same validation every command uses. An existing file is only replaced with `--force`.
public struct InitCommand: Command, Equatable {
    /// `--from-procfile [FILE]`: the Procfile to read (`Procfile` when FILE is left out); nil
    /// writes the starter example.
    public var procfile: String?
    /// `--force`: overwrite an existing services.json.
    public var force: Bool

    public init(procfile: String? = nil, force: Bool = false) {
        self.procfile = procfile
        self.force = force
    }

    public init(_ invocation: Invocation) {
        self.init(procfile: invocation.values["from-procfile"], force: invocation.has("force"))
    }

    public func run(_ context: CommandContext) throws -> Int32 {
        let terminal = context.terminal
        let target = ConfigLocator.absolutePath(context.file ?? ConfigLocator.fileName, relativeTo: context.currentDirectory)
        let shown = context.file ?? ConfigLocator.fileName
        if access(target, F_OK) == 0, !force {
            throw CommandFailure("'\(shown)' already exists; 'devctl init --force' overwrites it")
        }
        let root = ConfigLocator.directory(of: target)
        let envFile = access(root + "/.env", R_OK) == 0 ? ".env" : nil
        let project = ServicesTemplate.projectName(forFolder: root)

        let text: String
        var notes = [String]()
        if let procfile {
            let parsed = try Self.readProcfile(procfile, currentDirectory: context.currentDirectory)
            let services = ServicesTemplate.services(from: parsed, envFile: envFile)
            text = ServicesTemplate.render(project: project, services: services)
            notes.append("\(terminal.ok) wrote \(shown): \(services.count) service(s) from \(procfile): \(services.map(\.name).joined(separator: ", "))")
            for entry in parsed.entries where entry.name != entry.originalName {
                notes.append("  '\(ForeignText.escaped(entry.originalName))' is named '\(entry.name)' (service names use letters, digits, '_' and '-', and start with no '-')")
            }
            for (index, entry) in parsed.entries.enumerated() {
                let port = ServicesTemplate.port(forEntryAt: index)
                let check = ServicesTemplate.usesPort(entry.command) ? " and a tcp health check on it" : ""
                notes.append("  \(entry.name) gets PORT=\(port)\(check), as foreman would give it")
            }
        } else {
            text = ServicesTemplate.starter(project: project, envFile: envFile)
            notes.append("\(terminal.ok) wrote \(shown) with two example services: web (an HTTP server on port 8000) and worker")
        }
        if let envFile { notes.append("  every service reads \(envFile) (envFile)") }

        let bytes = Array(text.utf8)
        do {
            _ = try ConfigLoader.parse(data: bytes, file: target)
        } catch {
            throw CommandFailure("the services.json devctl made does not validate, so it was not written:\n\(error)")
        }
        try FileSystem.writeAtomically(target, bytes)
        notes.forEach(terminal.line)
        terminal.line("  next: edit it (every key is in the README's 'Configuration reference'), then 'devctl up'")
        return ExitCode.success
    }

    /// The Procfile the command line names (or `Procfile`): one that is missing, unreadable or not
    /// a Procfile is bad usage, exit 2, as a missing or bad services.json is.
    private static func readProcfile(_ path: String, currentDirectory: String) throws -> Procfile {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(ConfigLocator.absolutePath(path, relativeTo: currentDirectory))
        } catch {
            throw CommandFailure("cannot read the Procfile '\(path)': \(error.errno)", exitCode: ExitCode.usage)
        }
        do {
            return try Procfile.parse(String(decoding: bytes, as: UTF8.self))
        } catch {
            throw CommandFailure("'\(path)' is not a Procfile:\n" + error.problems.map { "  \($0)" }.joined(separator: "\n"),
                                 exitCode: ExitCode.usage)
        }
    }
}
