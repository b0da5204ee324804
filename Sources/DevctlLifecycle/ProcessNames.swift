import DevctlProcesses

/// Names the processes a decision picked by their command lines, read now: the scans behind the
/// decisions skip command lines, which cost as much as the rest of an entry, unless a rule needs
/// them. A process that cannot be read is named by its `[comm]`, with why.
enum ProcessNames {
    static func commandLine(of process: ProcessEntry) -> String {
        guard process.arguments.isEmpty else { return process.commandLine }
        do {
            return try ProcessSnapshot.commandLine(of: process.pid).flatMap { $0.isEmpty ? nil : $0 } ?? process.commandLine
        } catch {
            return "\(process.commandLine) (\(error))"
        }
    }
}
