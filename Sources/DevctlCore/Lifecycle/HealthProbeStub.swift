// TEMPORARY stub until the compose module lands.
public struct ContainerState: Sendable, Equatable { public var service: String; public var name: String; public var state: String; public var health: String? }
public enum ComposeOutcome: Sendable, Equatable { case skipped(String), succeeded(frontEnd: String, containers: [String], detail: String), failed(frontEnd: String, detail: String) }
public struct ComposeProject: Sendable { public var name: String; public var file: String; public var workingDirectory: String }
public struct ComposeRunner: Sendable {
    public init(environment: [String: String], commandTimeout: Double = 120) {}
    public static func normalizedProjectName(_ project: String) -> String { project }
    public func up(_ project: ComposeProject, waitTimeout: Double) -> ComposeOutcome { .skipped("x") }
    public func down(_ project: ComposeProject, timeout: Int) -> ComposeOutcome { .skipped("x") }
    public func containers(_ project: ComposeProject) -> Result<[ContainerState], ComposeOutcome> { .success([]) }
}
extension ComposeOutcome: Error {}
