/// A devctl command as a value. `init` reads the command's part of the command line once into
/// typed fields — the only place an option is looked up by its name, so two places can never read
/// one option differently — and `run` acts on those fields. `CommandTable` maps each command's
/// name to its type; that is the whole dispatch.
public protocol Command: Sendable {
    /// Reads `invocation`, which `ArgumentParser` has already checked against the command's
    /// `CommandSpec` (known options, values of the right kind, the number of arguments).
    init(_ invocation: Invocation) throws(UsageError)

    /// Whether progress lines are left out, leaving warnings, errors and the command's product:
    /// `--quiet`, and `--json`, whose stdout is for scripts.
    var quietsProgress: Bool { get }

    func run(_ context: CommandContext) throws -> Int32
}

extension Command {
    public var quietsProgress: Bool { false }
}
