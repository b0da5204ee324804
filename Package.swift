// swift-tools-version:6.0
import PackageDescription

// One target per layer, so the compiler keeps the arrows:
//   CLI → Lifecycle → {Supervision, Tracking, Processes, Config}; Supervision → Tracking;
//   Tracking → {Processes, System};
//   Processes → System; Config → Text; Text (JSON quoting, names, "did you mean") below all.
// DevctlSystem, DevctlProcesses, DevctlTracking and DevctlSupervision import Glibc only, never
// Foundation: the keeper links them.
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
        // The keeper's logic: Glibc only, like everything it links, so each keeper stays small.
        .target(name: "DevctlSupervision", dependencies: ["DevctlTracking", "DevctlProcesses", "DevctlSystem"]),
        .target(name: "DevctlLifecycle",
                dependencies: ["DevctlSupervision", "DevctlTracking", "DevctlProcesses", "DevctlConfig", "DevctlSystem", "DevctlText"]),
        .target(name: "DevctlCLI",
                dependencies: ["DevctlLifecycle", "DevctlTracking", "DevctlProcesses", "DevctlConfig", "DevctlSystem",
                               "DevctlText"]),
        // `devctl` depends on `devctl-keeper` so that building it (`swift run devctl start`) builds the
        // keeper it spawns beside itself.
        .executableTarget(name: "devctl", dependencies: ["DevctlCLI", "devctl-keeper"]),
        // One per service, so it links the Swift runtime statically and as a position-dependent
        // executable: nothing to relocate at each start (faster to start, about 0.3 MiB of private
        // memory where relocated shared libraries cost ~0.9 MiB; SPEC §7: at most 1 MiB), and in
        // release without unused sections or symbols.
        .executableTarget(name: "devctl-keeper", dependencies: ["DevctlSupervision"],
                          linkerSettings: [.unsafeFlags(["-static-stdlib", "-Xclang-linker", "-no-pie"]),
                                           .unsafeFlags(["-Xlinker", "--gc-sections", "-Xlinker", "-s"],
                                                        .when(configuration: .release))]),
        // Depends on `devctl` so that `swift run -c release devctl-bench` builds the binary it measures.
        .executableTarget(name: "devctl-bench",
                          dependencies: ["DevctlCLI", "DevctlLifecycle", "DevctlSupervision", "DevctlTracking", "DevctlProcesses", "DevctlConfig",
                                         "DevctlSystem", "DevctlText", "devctl"]),
        // The independent /proc reader (which uses none of devctl's own process code, so a bug there
        // cannot make a test agree with it), the private Docker engine and the stand-in docker.
        .target(name: "DevctlTestSupport",
                dependencies: ["DevctlLifecycle", "DevctlProcesses", "DevctlSystem"], path: "Tests/DevctlTestSupport"),
        .testTarget(name: "DevctlUnitTests",
                    dependencies: ["DevctlCLI", "DevctlLifecycle", "DevctlSupervision", "DevctlTracking", "DevctlProcesses", "DevctlConfig",
                                   "DevctlSystem", "DevctlText", "DevctlTestSupport"]),
        .testTarget(name: "DevctlIntegrationTests",
                    dependencies: ["DevctlCLI", "DevctlLifecycle", "DevctlSupervision", "DevctlTracking", "DevctlProcesses", "DevctlConfig",
                                   "DevctlSystem", "DevctlText", "DevctlTestSupport"]),
    ]
)
