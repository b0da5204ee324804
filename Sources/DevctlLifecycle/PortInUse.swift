import DevctlProcesses

/// "Is this port taken?" asks two witnesses: the kernel's table of listening sockets, and a
/// connect on loopback (which also sees a listener in another network namespace's view). The
/// connect is a health probe, so this lives beside the probes rather than in the process layer.
extension PortOwners {
    /// True if the port is bound for listening (per /proc/net/tcp*) or accepts a connection on
    /// 127.0.0.1.
    public static func isInUse(port: Int) -> Bool {
        isInUse(port: port, listening: listeningPorts())
    }

    /// `isInUse(port:)` for one of many ports, with the listening ports read once by
    /// `listeningPorts()`.
    public static func isInUse(port: Int, listening: Set<Int>) -> Bool {
        // The connect also catches a listener that /proc/net of this network namespace does not
        // show; on loopback it is answered at once, the timeout is only a bound.
        listening.contains(port) || HealthProbe.tcp(port: port, timeout: 0.5) == .healthy
    }
}
