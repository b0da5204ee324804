import DevctlProcesses

/// Who holds each of some TCP ports now: one read of the kernel's listening sockets serves them
/// all; a port in use whose holder cannot be named gets one holder without a PID.
enum PortHolders {
    static func find(_ ports: [Int]) -> [Int: [PortHolder]] {
        guard !ports.isEmpty else { return [:] }
        let listening = PortOwners.listeningPorts()
        var result = [Int: [PortHolder]]()
        for port in ports where PortOwners.isInUse(port: port, listening: listening) {
            let holders = PortOwners.listeners(port: port)
            result[port] = holders.isEmpty ? [PortHolder(pid: nil, command: "port \(port) still in use")] : holders
        }
        return result
    }
}
