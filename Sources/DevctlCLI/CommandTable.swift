import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
/// Every command and option devctl accepts, in one place: the parser, the help texts and the
/// completion scripts are all derived from this table.
public enum CommandTable {
    /// `-h/--help`, accepted by devctl itself and by every command.
    public static let helpOption = OptionSpec.flag("help", short: "h", help: "Show help information.")

    /// The options of devctl itself; `--file` and `--no-color` may also follow the command.
    public static let globalOptions: [OptionSpec] = [
        .option(
            "file", short: "f", valueName: "PATH",
            help: "Use this services.json instead of $DEVCTL_FILE or the nearest one found "
                + "in the current folder or its parents."),
        .flag("no-color", help: "Print no colours or other escape sequences."),
        .flag("version", help: "Show the version."),
        helpOption,
    ]

    private static let quiet = OptionSpec.flag("quiet", short: "q", help: "Print only warnings and errors.")

    private static let commands: [CommandSpec] = [
        CommandSpec(
            name: "start",
            abstract: "Start services and what they depend on, in dependency order, and wait until "
                + "they are healthy.",
            discussion: """
                With no NAME, every service starts, after the compose containers are up.
                A service already running is left alone; a dead entry is cleaned up and the
                service started again. Ctrl-C stops what this run started.
                """,
            arguments: "[NAME…]", acceptsNames: true,
            options: [
                .flag(
                    "no-wait",
                    help: "Return once the last service is spawned (dependencies are still waited for)."),
                .flag("no-containers", help: "Leave the docker compose containers alone."),
                quiet,
            ], command: StartCommand.self),
        CommandSpec(
            name: "stop",
            abstract: "Stop services in five phases: graceful signal, SIGKILL, orphan sweep, "
                + "docker compose down, verification.",
            discussion: """
                With no NAME, all five phases run:
                  1. graceful   each service's stop signal to its whole process tree
                  2. force      SIGKILL to whatever outlived its stopTimeout
                  3. orphans    the project's processes that escaped tracking are killed
                  4. compose    docker compose down, with the same grace
                  5. verify     every process gone and every health-check port free
                With NAMEs, only those services stop and containers are left alone; a lone
                '--' names none, so 'devctl stop --' is 'devctl stop'.
                Exits 1 if anything survived.
                """,
            arguments: "[NAME…]", acceptsNames: true,
            options: [
                .flag(
                    "force",
                    help: "Skip the grace period: SIGKILL at once, containers get 0 seconds. Also trusts a "
                        + ".pids folder that failed its safety check (each entry is still verified)."),
                .flag("containers", help: "Only take the compose containers down; leave processes alone."),
                .option(
                    "timeout", valueName: "S", kind: .seconds,
                    help: "Seconds between the stop signal and SIGKILL, instead of stopTimeout."),
                .flag("json", help: "Print one JSON summary on stdout, for scripts."),
                quiet,
            ], command: StopCommand.self),
        CommandSpec(
            name: "status",
            abstract: "Show each service's state, PID, uptime, CPU, memory, processes and health.",
            discussion: """
                STATE is running, paused, stopped (not tracked) or dead (tracked, but gone).
                The project's compose containers follow the services.
                Exits 3 if a configured service is not running.
                """,
            arguments: "[NAME…]", acceptsNames: true,
            options: [.flag("json", help: "Print one JSON document on stdout, for scripts.")],
            command: StatusCommand.self),
        CommandSpec(
            name: "restart", abstract: "Stop services, then start them again.",
            arguments: "[NAME…]", acceptsNames: true, options: [quiet], command: RestartCommand.self),
        CommandSpec(
            name: "logs", abstract: "Show the last lines of each service's log, prefixed with its name.",
            discussion: """
                The lines of several services are merged in the order they arrived. devctl's
                notes of exits and restarts are shown; the header of each start is not.
                """,
            arguments: "[NAME…]", acceptsNames: true,
            options: [
                .flag("follow", short: "f", help: "Keep printing new lines as they are written."),
                .option(
                    "lines", short: "n", valueName: "N", kind: .count,
                    help: "How many lines of each log to show (default: 20)."),
                .flag(
                    "timestamps", short: "t",
                    help: "Show the time each line arrived (RFC 3339, UTC), as stored in the log."),
            ], command: LogsCommand.self),
        CommandSpec(
            name: "pause", abstract: "Freeze services: SIGSTOP to each one's whole process tree.",
            arguments: "NAME…", acceptsNames: true, minimumNames: 1, command: PauseCommand.self),
        CommandSpec(
            name: "resume", abstract: "Continue paused services: SIGCONT to each one's whole process tree.",
            arguments: "NAME…", acceptsNames: true, minimumNames: 1, command: PauseCommand.self),
        CommandSpec(
            name: "up",
            abstract: "Start services, follow their output in the foreground, and stop everything "
                + "on Ctrl-C.",
            discussion: """
                Each new output line is printed as 'name | line'. Services already running are
                adopted: followed, and stopped at the end. SIGINT, SIGTERM or SIGHUP run the
                full stop and exit with its code; a second Ctrl-C makes that stop forced.
                """,
            arguments: "[NAME…]", acceptsNames: true,
            options: [
                .flag("exit-on-failure", help: "End the session (stop, exit 1) when a service exits.")
            ], command: UpCommand.self),
        CommandSpec(
            name: "init", abstract: "Write a starter services.json in the current folder.",
            discussion: "An existing services.json is only overwritten with --force.",
            options: [
                .option(
                    "from-procfile", valueName: "FILE", defaultValue: "Procfile",
                    help: "One service per 'name: command' line of this Procfile (default: Procfile)."),
                .flag("force", help: "Overwrite an existing services.json."),
            ], command: InitCommand.self),
        CommandSpec(
            name: "completion",
            abstract: "Print a shell completion script for commands, options and service names.",
            discussion: """
                The service names are those of services.json when the script is printed.
                  bash:  source <(devctl completion bash)
                  zsh:   source <(devctl completion zsh)
                  fish:  devctl completion fish | source
                """,
            arguments: "SHELL", minimumNames: 1, choices: ["bash", "zsh", "fish"],
            command: CompletionCommand.self),
    ]

    /// Every command, `help` last; `help` accepts the name of any of them, so none can be missed.
    /// It has no command type: the parser answers it, as it answers `--help`.
    public static let all = commands + [
        CommandSpec(
            name: "help", abstract: "Show help for devctl or one of its commands.",
            arguments: "[COMMAND]", choices: commands.map(\.name) + ["help"], command: nil),
    ]

    public static func command(named name: String) -> CommandSpec? {
        all.first { $0.name == name }
    }

    /// The command `invocation` names, with its options read into their typed fields.
    public static func command(for invocation: Invocation) throws(UsageError) -> any Command {
        guard let command = command(named: invocation.command)?.command else {
            throw UsageError("'\(invocation.command)' is not a command to run")
        }
        return try command.init(invocation)
    }
}
