import DevctlProcesses
import DevctlSystem
import DevctlText
/// One tracking entry: a service's leader as devctl recorded it when it spawned it. `startTime` is
/// nil only for entries read from the legacy files written by older scripts, which carry no
/// identity and are therefore trusted only when the live process carries the project's marker.
public struct TrackedService: Sendable, Equatable {
    public var name: String
    public var pid: Int32
    public var pgid: Int32
    public var startTime: UInt64?

    public init(name: String, pid: Int32, pgid: Int32, startTime: UInt64?) {
        self.name = name
        self.pid = pid
        self.pgid = pgid
        self.startTime = startTime
    }
}
