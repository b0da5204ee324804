import Foundation
import Testing
@testable import DevctlCLI
@testable import DevctlConfig
@testable import DevctlLifecycle
@testable import DevctlProcesses
@testable import DevctlSystem
@testable import DevctlText
@testable import DevctlTracking

@Suite struct ConfigLocatorTests {
    func locate(explicit: String? = nil, environment: [String: String] = [:], from directory: String) -> Result<String, ConfigLocatorError> {
        Result { () throws(ConfigLocatorError) in
            try ConfigLocator.locate(explicit: explicit, environment: environment, currentDirectory: directory)
        }
    }

    @Test func findsTheNearestServicesJSONUpwards() {
        let fixture = ConfigFixture()
        fixture.write("services.json", "{}")
        fixture.write("sub/services.json", "{}")
        fixture.makeFolder("sub/deeper/deepest")
        fixture.makeFolder("other")
        #expect(locate(from: fixture.root + "/sub/deeper/deepest") == .success(fixture.root + "/sub/services.json"))
        #expect(locate(from: fixture.root + "/other") == .success(fixture.root + "/services.json"))
        #expect(locate(from: fixture.root) == .success(fixture.root + "/services.json"))
    }

    @Test func skipsAFolderNamedServicesJSON() {
        let fixture = ConfigFixture()
        fixture.write("services.json", "{}")
        fixture.makeFolder("sub/services.json")
        #expect(locate(from: fixture.root + "/sub") == .success(fixture.root + "/services.json"))
    }

    @Test func explainsWhenNothingIsFound() {
        let fixture = ConfigFixture()
        fixture.makeFolder("a/b")
        #expect(locate(from: fixture.root + "/a/b/") == .failure(ConfigLocatorError(message:
            "no services.json found in \(fixture.root)/a/b or any parent folder; create one with 'devctl init' or pass -f FILE")))
    }

    @Test func explicitFileWinsOverEnvironmentAndSearch() {
        let fixture = ConfigFixture()
        fixture.write("services.json", "{}")
        fixture.write("dev.json", "{}")
        fixture.write("env.json", "{}")
        fixture.makeFolder("sub")
        #expect(locate(explicit: "../dev.json", environment: ["DEVCTL_FILE": fixture.root + "/env.json"], from: fixture.root + "/sub")
            == .success(fixture.root + "/dev.json"))
    }

    @Test func environmentWinsOverSearch() {
        let fixture = ConfigFixture()
        fixture.write("services.json", "{}")
        fixture.write("env.json", "{}")
        #expect(locate(environment: ["DEVCTL_FILE": "./env.json"], from: fixture.root) == .success(fixture.root + "/env.json"))
        #expect(locate(environment: ["DEVCTL_FILE": ""], from: fixture.root) == .success(fixture.root + "/services.json"))
    }

    @Test func refusesAMissingExplicitFileInsteadOfSearching() {
        let fixture = ConfigFixture()
        fixture.write("services.json", "{}")
        fixture.makeFolder("folder")
        #expect(locate(explicit: "x.json", from: fixture.root)
            == .failure(ConfigLocatorError(message: "file 'x.json' given by -f does not exist")))
        #expect(locate(environment: ["DEVCTL_FILE": "x.json"], from: fixture.root)
            == .failure(ConfigLocatorError(message: "file 'x.json' given by DEVCTL_FILE does not exist")))
        #expect(locate(explicit: "folder", from: fixture.root)
            == .failure(ConfigLocatorError(message: "'folder' given by -f is a folder, not a file")))
    }

    @Test(arguments: [
        ("a/b", "/x", "/x/a/b"),
        ("./a/../b//c/.", "/x/y", "/x/y/b/c"),
        ("../../..", "/x/y", "/"),
        ("/abs/./p", "/ignored", "/abs/p"),
        ("", "/x/y/", "/x/y"),
    ])
    func makesPathsAbsoluteAndStandard(path: String, base: String, expected: String) {
        #expect(ConfigLocator.absolutePath(path, relativeTo: base) == expected)
    }
}
