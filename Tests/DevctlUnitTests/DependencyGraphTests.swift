import Testing
@testable import DevctlCLI
@testable import DevctlConfig
@testable import DevctlLifecycle
@testable import DevctlProcesses
@testable import DevctlSystem
@testable import DevctlText
@testable import DevctlTracking

@Suite struct DependencyGraphTests {
    func graph(_ declarations: KeyValuePairs<String, [String]>) -> DependencyGraph {
        DependencyGraph(declarations.map { ServiceConfig(name: $0.key, command: .shell("x"), cwd: "/", dependsOn: $0.value) })
    }

    /// web -> api -> (db, cache); worker -> db; docs alone.
    var shop: DependencyGraph {
        graph(["docs": [], "web": ["api"], "api": ["db", "cache"], "worker": ["db"], "db": [], "cache": []])
    }

    @Test func closureAddsTransitiveDependenciesInDeclarationOrder() {
        #expect(shop.closure(of: ["web"]) == ["web", "api", "db", "cache"])
        #expect(shop.closure(of: ["worker", "docs"]) == ["docs", "worker", "db"])
        #expect(shop.closure(of: ["nope"]) == [])
    }

    @Test func startWavesPutDependenciesFirst() {
        let all = ["docs", "web", "api", "worker", "db", "cache"]
        #expect(shop.startWaves(of: all) == [["docs", "db", "cache"], ["api", "worker"], ["web"]])
    }

    @Test func startWavesTreatDependenciesOutsideTheSelectionAsSatisfied() {
        #expect(shop.startWaves(of: ["web", "api"]) == [["api"], ["web"]])
        #expect(shop.startWaves(of: ["web"]) == [["web"]])
    }

    @Test func stopWavesStopDependentsBeforeTheirDependencies() {
        let all = ["docs", "web", "api", "worker", "db", "cache"]
        #expect(shop.stopWaves(of: all) == [["docs", "web", "worker"], ["api"], ["db", "cache"]])
        #expect(shop.stopWaves(of: ["db", "api"]) == [["api"], ["db"]])
        #expect(shop.stopWaves(of: ["db"]) == [["db"]])
    }

    @Test func listsDirectDependents() {
        #expect(shop.dependents(of: "db") == ["api", "worker"])
        #expect(shop.dependents(of: "web") == [])
    }

    @Test func ignoresUnknownNames() {
        let graph = graph(["a": ["ghost"], "b": ["a"]])
        #expect(graph.startWaves(of: ["a", "b", "ghost"]) == [["a"], ["b"]])
        #expect(graph.closure(of: ["b"]) == ["a", "b"])
    }

    @Test func findsCycles() {
        #expect(shop.cycles() == [])
        #expect(graph(["a": ["b"], "b": ["a"], "c": ["c"]]).cycles() == [["a", "b", "a"], ["c", "c"]])
    }

    @Test func cyclesDoNotHangOrderingQueries() {
        let cyclic = graph(["x": [], "a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]])
        #expect(cyclic.closure(of: ["d"]) == ["a", "b", "c", "d"])
        #expect(cyclic.startWaves(of: ["x", "a", "b", "c", "d"]) == [["x"], ["a", "b", "c", "d"]])
        #expect(cyclic.stopWaves(of: ["x", "a", "b", "c", "d"]) == [["x", "d"], ["a", "b", "c"]])
    }
}
