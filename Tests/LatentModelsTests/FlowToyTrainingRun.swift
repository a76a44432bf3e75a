import Foundation
import LatentCore
import LatentData
import LatentNN
import LatentModels
import Testing

/// Trains flows on the embedded 2-D densities and prints test log-likelihoods against
/// the ground truth. Slow: runs only with LATENT_FLOW_TRAINING=<steps> (release build:
/// `swift test -c release -Xswiftc -enable-testing --filter FlowToyTrainingRun`);
/// heat maps go to LATENT_FLOW_OUTPUT (default /tmp).
@Suite struct FlowToyTrainingRun {
    @Test func toyDensities() throws {
        guard let stepsText = ProcessInfo.processInfo.environment["LATENT_FLOW_TRAINING"], let steps = Int(stepsText) else { return }
        let output = ProcessInfo.processInfo.environment["LATENT_FLOW_OUTPUT"] ?? "/tmp"
        let kinds = (ProcessInfo.processInfo.environment["LATENT_FLOW_MODELS"] ?? "nsf").split(separator: ",").map(String.init)
        let densities = (ProcessInfo.processInfo.environment["LATENT_FLOW_DENSITIES"].map { $0.split(separator: ",").compactMap { ToyDensity(rawValue: String($0)) } })
            ?? ToyDensity.allCases
        for kind in kinds {
            for density in densities {
                var rng = RandomGenerator(seed: 0)
                let flow: Flow
                switch kind {
                case "realnvp": flow = Flow.realNVP(dimension: 2, layers: 8, hidden: [128, 128], generator: &rng)
                case "maf": flow = Flow.maf(dimension: 2, layers: 8, hidden: [128, 128], generator: &rng)
                default: flow = Flow.nsf(dimension: 2, layers: 6, hidden: [128, 128], binCount: 16, bound: 5, generator: &rng)
                }
                let optimizer = Adam(learningRate: 1e-3)
                let start = Date()
                for step in 0..<steps {
                    optimizer.learningRate = Float(1e-3 * 0.5 * (1 + cos(Double.pi * Double(step) / Double(steps))))
                    let x = density.sample(512, generator: &rng)
                    let (_, g) = valueAndGradient(of: flow) { -$0.logProb(x).mean() }
                    optimizer.update(flow, with: g)
                }
                let seconds = Date().timeIntervalSince(start)
                flow.eval()
                var testRNG = RandomGenerator(seed: 12345)
                let test = density.sample(20000, generator: &testRNG)
                let ll = withoutDerivative { flow.logProb(test) }.mean().scalar
                let truth = density.logDensity(test).map { $0.mean().scalar }
                let grid = DensityGrid(xRange: -6...6, yRange: -6...6, resolution: 300) { flow.logProb($0) }
                try PNG.write(grid.heatMap, to: URL(fileURLWithPath: "\(output)/flow-\(kind)-\(density.rawValue).png"))
                print(String(format: "FLOWRUN %@ %@ steps %d (%.1f s): test LL %.4f nats, truth %@, gap %@, grid integral %.4f",
                             kind, density.rawValue, steps, seconds, ll, truth.map { String(format: "%.4f", $0) } ?? "n/a",
                             truth.map { String(format: "%.4f", $0 - ll) } ?? "n/a", grid.integral))
            }
        }
    }
}
