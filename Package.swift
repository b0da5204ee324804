// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "devctl",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "devctl", targets: ["devctl"]),
        .library(name: "DevctlCore", targets: ["DevctlCore"]),
    ],
    targets: [
        .target(name: "CDevctlShims"),
        .target(name: "DevctlCore", dependencies: ["CDevctlShims"]),
        .executableTarget(name: "devctl", dependencies: ["DevctlCore"]),
        // Depends on `devctl` so that `swift run -c release devctl-bench` builds the binary it measures.
        .executableTarget(name: "devctl-bench", dependencies: ["DevctlCore", "devctl"]),
        // The private Docker engine and the stand-in docker, shared by both test targets.
        .target(name: "DevctlTestSupport", dependencies: ["DevctlCore"], path: "Tests/DevctlTestSupport"),
        .testTarget(name: "DevctlCoreTests", dependencies: ["DevctlCore", "DevctlTestSupport"]),
        .testTarget(name: "DevctlIntegrationTests", dependencies: ["DevctlCore", "DevctlTestSupport"]),
    ]
)
