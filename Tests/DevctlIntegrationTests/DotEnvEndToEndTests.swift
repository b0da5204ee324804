#if canImport(Glibc)
import Glibc
#endif
import DevctlTestSupport
import Foundation
import Testing

/// A service's `envFile` as the running process finally sees it (read from /proc/PID/environ),
/// and a file devctl cannot pass on refused before anything starts.
@Suite struct DotEnvEndToEndTests {
    static let config = #"{"project": "dotenv", "services": [{"name": "env-dump", "envFile": ".env", "command": "exec sleep 300"}]}"#

    @Test func serviceSeesInterpolatedEscapedAndMultiLineValues() throws {
        let project = TestProject(Self.config, files: [".env": """
        export HOST=localhost
        URL=http://${HOST}:${DOTENV_UNSET_PORT:-8000}/$DOTENV_FROM_DEVCTL
        CERT="-----BEGIN-----\r
        line two
        -----END-----"
        TABBED="a\\tb"
        LITERAL='${HOST}'

        """])
        project.extraEnvironment["DOTENV_FROM_DEVCTL"] = "inherited"
        defer { project.cleanUp() }
        let result = project.devctl("start")
        #expect(result.exitCode == 0, "\(result)")
        let pid = try #require(project.trackedPIDs["env-dump"])
        let environment = try #require(KernelProcessEntry.environment(of: pid))
        #expect(environment["URL"] == "http://localhost:8000/inherited")
        #expect(environment["CERT"] == "-----BEGIN-----\nline two\n-----END-----")
        #expect(environment["TABBED"] == "a\tb")
        #expect(environment["LITERAL"] == "${HOST}")
    }

    @Test func refusesANulByteNamingItsLineAndColumn() {
        let project = TestProject(Self.config, files: [".env": "A=1\nB=cut\0here\n"])
        defer { project.cleanUp() }
        let result = project.devctl("start")
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("services[0].envFile: '.env' line 2, column 6: a NUL byte cannot be passed in an environment variable"),
                "\(result)")
        #expect(project.trackedPIDs.isEmpty)
        #expect(project.markedProcesses.isEmpty)
    }
}
