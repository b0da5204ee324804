// swift-tools-version:6.0
import PackageDescription

// One target per layer, so the compiler keeps the arrows:
//   CLI → Lifecycle → {Tracking, Processes, Config}; Tracking → {Processes, System};
//   Processes → System; Config → Text; Text (JSON quoting, names, "did you mean") below all.
// DevctlSystem and DevctlProcesses import Glibc only, never Foundation.
let package = Package(
    name: "devctl",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "devctl", targets: ["devctl"]),
    ],
    targets: [
        .target(name: "CDevctlShims"),
        .target(name: "DevctlSystem", dependencies: ["CDevctlShims"]),
        .target(name: "DevctlText"),
        .target(name: "DevctlProcesses", dependencies: ["DevctlSystem", "CDevctlShims"]),
        .target(name: "DevctlConfig", dependencies: ["DevctlText", "DevctlSystem"]),
        .target(name: "DevctlTracking", dependencies: ["DevctlProcesses", "DevctlSystem", "DevctlText"]),
        .target(name: "DevctlLifecycle",
                dependencies: ["DevctlTracking", "DevctlProcesses", "DevctlConfig", "DevctlSystem", "DevctlText"]),
        .target(name: "DevctlCLI",
                dependencies: ["DevctlLifecycle", "DevctlTracking", "DevctlProcesses", "DevctlConfig", "DevctlSystem",
                               "DevctlText"]),
        .executableTarget(name: "devctl", dependencies: ["DevctlCLI"]),
        // Depends on `devctl` so that `swift run -c release devctl-bench` builds the binary it measures.
        .executableTarget(name: "devctl-bench",
                          dependencies: ["DevctlCLI", "DevctlLifecycle", "DevctlTracking", "DevctlProcesses", "DevctlConfig",
                                         "DevctlSystem", "DevctlText", "devctl"]),
        // The independent /proc reader (which uses none of devctl's own process code, so a bug there
        // cannot make a test agree with it), the private Docker engine and the stand-in docker.
        .target(name: "DevctlTestSupport",
                dependencies: ["DevctlLifecycle", "DevctlProcesses", "DevctlSystem"], path: "Tests/DevctlTestSupport"),
        .testTarget(name: "DevctlUnitTests",
                    dependencies: ["DevctlCLI", "DevctlLifecycle", "DevctlTracking", "DevctlProcesses", "DevctlConfig",
                                   "DevctlSystem", "DevctlText", "DevctlTestSupport"]),
        .testTarget(name: "DevctlIntegrationTests",
                    dependencies: ["DevctlCLI", "DevctlLifecycle", "DevctlTracking", "DevctlProcesses", "DevctlConfig",
                                   "DevctlSystem", "DevctlText", "DevctlTestSupport"]),
    ]
)
