// swift-tools-version: 6.0
import PackageDescription

// Numeric kernels are compiled with -Ounchecked in release builds: the hot loops
// index raw pointers, and removing overflow checks lets LLVM vectorise them.
let kernelSettings: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release)),
]

let package = Package(
    name: "Latent",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Latent", targets: ["Latent"]),
        .library(name: "LatentTestSupport", targets: ["LatentTestSupport"]),
        .executable(name: "latent", targets: ["latent"]),
        .executable(name: "latent-bench", targets: ["latent-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "LatentCore", swiftSettings: kernelSettings),
        .target(name: "LatentNN", dependencies: ["LatentCore"]),
        .target(name: "LatentProbability", dependencies: ["LatentCore"]),
        .target(name: "Latent", dependencies: ["LatentCore", "LatentNN", "LatentProbability"]),
        .target(name: "LatentTestSupport", dependencies: ["LatentCore", "LatentProbability"]),
        .executableTarget(
            name: "latent",
            dependencies: ["Latent", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "latent-bench", dependencies: ["Latent"], swiftSettings: kernelSettings),
        .testTarget(
            name: "LatentCoreTests", dependencies: ["LatentCore", "LatentTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "LatentNNTests", dependencies: ["LatentNN", "LatentTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "LatentProbabilityTests", dependencies: ["LatentProbability", "LatentTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "LatentTests", dependencies: ["Latent", "LatentTestSupport"]),
    ]
)
