// swift-tools-version: 6.0
import Foundation
import PackageDescription

// Numeric kernels are compiled with -Ounchecked in release builds: the hot loops
// index raw pointers, and removing overflow checks lets LLVM vectorise them.
//
// On x86-64 hosts with AVX2 and FMA the kernels are also compiled for the host CPU
// (`-target-cpu native`): without it Swift emits SSE2 only, SIMD16 loops run at half
// width and `addingProduct` becomes a call to `fmaf` per lane. `LATENT_FMA` tells the
// GEMM micro-kernel that fused multiply-add is available. Set LATENT_PORTABLE=1 when
// building binaries for other machines. (arm64 always has FMA.)
let hostHasFMA: Bool = {
    #if arch(arm64)
    return true
    #elseif arch(x86_64) && os(Linux)
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return false }
    let flags = info.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ") ?? []
    return flags.contains("fma") && flags.contains("avx2")
    #else
    return false
    #endif
}()
let portable = ProcessInfo.processInfo.environment["LATENT_PORTABLE"].map { !$0.isEmpty && $0 != "0" } ?? false
#if arch(x86_64)
let nativeSettings: [SwiftSetting] = hostHasFMA && !portable
    ? [.unsafeFlags(["-target-cpu", "native"]), .define("LATENT_FMA")] : []
#else
let nativeSettings: [SwiftSetting] = hostHasFMA ? [.define("LATENT_FMA")] : []
#endif
let kernelSettings: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release)),
] + nativeSettings

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
        // `swift package generate-documentation` (docs/Documentation.md); a plugin, not linked into anything.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        .target(name: "LatentCore", swiftSettings: kernelSettings),
        .target(name: "LatentNN", dependencies: ["LatentCore"]),
        .target(name: "LatentProbability", dependencies: ["LatentCore"]),
        // zlib (inflate/deflate/CRC-32) for gzip, NPZ and PNG; the system library.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .target(name: "LatentData", dependencies: ["LatentCore", "CZlib"], resources: [.copy("Resources")]),
        .target(
            name: "LatentModels",
            dependencies: ["LatentCore", "LatentNN", "LatentProbability", "LatentData"]),
        .target(name: "Latent", dependencies: ["LatentCore", "LatentNN", "LatentProbability", "LatentData", "LatentModels"]),
        .target(name: "LatentTestSupport", dependencies: ["LatentCore", "LatentProbability"]),
        .executableTarget(
            name: "latent",
            dependencies: ["Latent", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "latent-bench", dependencies: ["Latent"], swiftSettings: kernelSettings),
        // Parser fuzzing (Scripts/fuzz.sh builds it with libFuzzer; plain builds replay and mutate corpora).
        .executableTarget(name: "latent-fuzz", dependencies: ["Latent"]),
        // Examples/: one short program per strand, on the public API only (`swift run -c release example-vae`).
        .executableTarget(name: "example-vae", dependencies: ["Latent"], path: "Examples/VAEDigits"),
        .executableTarget(name: "example-flow", dependencies: ["Latent"], path: "Examples/FlowTwoMoons"),
        .executableTarget(name: "example-gan", dependencies: ["Latent"], path: "Examples/GANRing"),
        .executableTarget(name: "example-char-lm", dependencies: ["Latent"], path: "Examples/CharLanguageModel"),
        .executableTarget(name: "example-flow-vae", dependencies: ["Latent"], path: "Examples/FlowPosteriorVAE"),
        .testTarget(
            name: "LatentCoreTests", dependencies: ["LatentCore", "LatentTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "LatentNNTests", dependencies: ["LatentNN", "LatentTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "LatentProbabilityTests", dependencies: ["LatentProbability", "LatentTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "LatentDataTests", dependencies: ["LatentData", "LatentTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "LatentModelsTests", dependencies: ["LatentModels", "LatentNN", "LatentData", "LatentTestSupport"]),
        .testTarget(name: "LatentTests", dependencies: ["Latent", "LatentTestSupport"]),
    ]
)
