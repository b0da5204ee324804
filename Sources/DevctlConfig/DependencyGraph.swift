import DevctlSystem
import DevctlText
/// The `dependsOn` relation between services, answering the ordering questions of start and
/// stop: what a start must bring up, which services may start together, and which must be gone
/// before another may be signalled. Results are always in declaration order, so output is stable.
///
/// Validation rejects cycles and unknown names, but this type does not rely on it: unknown
/// names are ignored, and a cycle's members (with whatever waits on them) share a last wave, so
/// nothing hangs.
public struct DependencyGraph: Sendable {
    private let order: [String]
    private let dependencies: [String: [String]]
    private let dependentsByName: [String: [String]]

    public init(_ services: [ServiceConfig]) {
        self.init(services.map { ($0.name, $0.dependsOn) })
    }

    /// The graph of `(name, dependsOn)` pairs in declaration order; validation builds it before
    /// whole `ServiceConfig`s exist. A repeated name keeps its first declaration.
    init(_ declarations: [(name: String, dependsOn: [String])]) {
        var order: [String] = []
        var dependencies: [String: [String]] = [:]
        for (name, targets) in declarations where dependencies[name] == nil {
            order.append(name)
            dependencies[name] = targets
        }
        var dependents: [String: [String]] = [:]
        for name in order {
            let known = dependencies[name, default: []].filter { dependencies[$0] != nil }
            dependencies[name] = known
            for target in Set(known) { dependents[target, default: []].append(name) }
        }
        self.order = order
        self.dependencies = dependencies
        dependentsByName = dependents
    }

    /// `names` plus everything they depend on, directly or not: what `start NAME` must run.
    public func closure(of names: [String]) -> [String] {
        var included = Set<String>()
        var pending = names
        while let name = pending.popLast() {
            guard let targets = dependencies[name], included.insert(name).inserted else { continue }
            pending += targets
        }
        return order.filter(included.contains)
    }

    /// `names` in start waves: each wave depends only on earlier waves, so a wave's services can
    /// start together once the previous waves are healthy. Dependencies outside `names` are
    /// taken as already satisfied.
    public func startWaves(of names: [String]) -> [[String]] {
        waves(of: names) { dependencies[$0] ?? [] }
    }

    /// `names` in stop waves: a service comes only after every one of `names` that depends on it,
    /// so nothing loses a dependency while still running. Dependents outside `names` are not
    /// waited for.
    public func stopWaves(of names: [String]) -> [[String]] {
        waves(of: names, after: dependents(of:))
    }

    /// The services that list `name` in their `dependsOn` (directly).
    public func dependents(of name: String) -> [String] {
        dependentsByName[name] ?? []
    }

    /// Every dependency cycle, each as the path that closes it (`api -> worker -> api`): one
    /// per dependency that leads back to a service still being explored, in declaration order.
    public func cycles() -> [[String]] {
        var finished = Set<String>()
        var path: [String] = []
        var found: [[String]] = []
        func explore(_ name: String) {
            path.append(name)
            for target in dependencies[name] ?? [] where !finished.contains(target) {
                if let start = path.firstIndex(of: target) {
                    found.append(Array(path[start...]) + [target])
                } else {
                    explore(target)
                }
            }
            path.removeLast()
            finished.insert(name)
        }
        for name in order where !finished.contains(name) { explore(name) }
        return found
    }

    /// Layers the known services among `names` so that each comes after the ones `blockers`
    /// names for it that are also among `names`.
    private func waves(of names: [String], after blockers: (String) -> [String]) -> [[String]] {
        let selected = Set(names)
        var remaining = order.filter(selected.contains)
        var placed = Set<String>()
        var waves: [[String]] = []
        while !remaining.isEmpty {
            var wave = remaining.filter { name in
                blockers(name).allSatisfy { !selected.contains($0) || placed.contains($0) }
            }
            // Only a cycle leaves every remaining service blocked: release them all together.
            if wave.isEmpty { wave = remaining }
            waves.append(wave)
            placed.formUnion(wave)
            remaining.removeAll(where: placed.contains)
        }
        return waves
    }
}
