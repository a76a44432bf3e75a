import Foundation
import LatentCore
import LatentNN
import LatentTestSupport
import Testing

/// The first 10 steps of every optimiser against PyTorch (Scripts/fixtures/nn_optimizers.py).
@Suite struct OptimizerGoldenTests {
    struct Step: Decodable { let loss: Float; let w: [Float]; let b: [Float] }
    struct Fixture: Decodable { let x, y, w0, b0: [Float]; let runs: [String: [Step]] }

    static let fixture: Fixture = {
        let url = Bundle.module.url(forResource: "optimizers", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    final class Problem: Module {
        @Parameter var w: Tensor
        @Parameter var b: Tensor
        init(_ f: Fixture) {
            _w = Parameter(Tensor(shape: [3, 4], scalars: f.w0))
            _b = Parameter(Tensor(shape: [4], scalars: f.b0))
        }
    }

    static func loss(_ m: Problem, _ f: Fixture) -> Tensor {
        let x = Tensor(shape: [5, 3], scalars: f.x), y = Tensor(shape: [5, 4], scalars: f.y)
        let r = matmul(x, m.w) + m.b - y
        return (r * r).mean() + (m.w * m.w * m.w * m.w).sum() * 0.1
    }

    nonisolated(unsafe) static let optimizers: [(String, @Sendable () -> any Optimizer)] = [
        ("sgd", { SGD(learningRate: 0.1) }),
        ("sgd_momentum", { SGD(learningRate: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01) }),
        ("sgd_nesterov", { SGD(learningRate: 0.05, momentum: 0.9, nesterov: true) }),
        ("adam", { Adam(learningRate: 0.01) }),
        ("adam_l2_amsgrad", { Adam(learningRate: 0.02, beta1: 0.8, beta2: 0.99, weightDecay: 0.1, amsgrad: true) }),
        ("adamw", { AdamW(learningRate: 0.01, weightDecay: 0.1) }),
        ("rmsprop", { RMSprop(learningRate: 0.01) }),
        ("rmsprop_centered_momentum", { RMSprop(learningRate: 0.01, weightDecay: 0.01, momentum: 0.9, centered: true) }),
    ]

    @Test(arguments: optimizers.map(\.0))
    func firstTenStepsMatchPyTorch(_ name: String) {
        let f = Self.fixture
        let model = Problem(f)
        let optimizer = Self.optimizers.first { $0.0 == name }!.1()
        for (i, expected) in f.runs[name]!.enumerated() {
            let (loss, grads) = valueAndGradient(of: model) { Self.loss($0, f) }
            optimizer.update(model, with: grads)
            #expect(abs(loss.scalar - expected.loss) <= 1e-5 * abs(expected.loss) + 1e-6, "\(name) step \(i) loss")
            expectClose(model.w, Tensor(shape: [3, 4], scalars: expected.w), relative: 1e-5, absolute: 1e-6, "\(name) step \(i) w")
            expectClose(model.b, Tensor(shape: [4], scalars: expected.b), relative: 1e-5, absolute: 1e-6, "\(name) step \(i) b")
        }
    }

    @Test func stateRoundTripContinuesIdentically() throws {
        let f = Self.fixture
        for (name, make) in Self.optimizers {
            let a = Problem(f), b = Problem(f)
            let oa = make(), ob = make()
            for _ in 0..<3 { oa.update(a, with: gradient(of: a) { Self.loss($0, f) }) }
            let (tensors, meta) = oa.stateDictionary()
            try b.load(state: a.state())
            try ob.load(tensors: tensors, metadata: meta)
            oa.update(a, with: gradient(of: a) { Self.loss($0, f) })
            ob.update(b, with: gradient(of: b) { Self.loss($0, f) })
            #expect(a.w.scalars == b.w.scalars, "\(name)")
        }
    }
}

@Suite struct TrainingUtilityTests {
    @Test func schedules() {
        #expect(StepDecay(initial: 1, stepSize: 10, gamma: 0.5).learningRate(at: 25) == 0.25)
        #expect(abs(ExponentialDecay(initial: 2, gamma: 0.9).learningRate(at: 2) - 1.62) < 1e-6)
        let warm = LinearWarmup(initial: 1, warmupSteps: 4)
        #expect([0, 1, 2, 3, 4, 9].map(warm.learningRate(at:)) == [0, 0.25, 0.5, 0.75, 1, 1])
        let cosine = CosineDecay(initial: 1, totalSteps: 110, warmupSteps: 10, minimum: 0.1)
        #expect(cosine.learningRate(at: 0) == 0.1)
        #expect(cosine.learningRate(at: 9) == 1)
        #expect(abs(cosine.learningRate(at: 60) - 0.55) < 1e-6)
        #expect(cosine.learningRate(at: 110) == 0.1)
    }

    @Test func clipping() {
        let grads: [String: Tensor] = ["a": Tensor([3, 0]), "b": Tensor([0, 4])]
        let (clipped, norm) = clipGradientsByGlobalNorm(grads, maximumNorm: 1)
        #expect(abs(norm - 5) < 1e-6)
        expectClose(clipped["a"]!, Tensor([0.6, 0]), relative: 1e-5)
        expectClose(clipped["b"]!, Tensor([0, 0.8]), relative: 1e-5)
        #expect(clipGradientsByGlobalNorm(grads, maximumNorm: 10).gradients["a"]!.scalars == [3, 0])
        #expect(clipGradientsByValue(grads, limit: 2)["b"]!.scalars == [0, 2])
    }

    @Test func accumulationEqualsFullBatch() {
        let f = OptimizerGoldenTests.fixture
        let model = OptimizerGoldenTests.Problem(f)
        let x = Tensor(shape: [5, 3], scalars: f.x), y = Tensor(shape: [5, 4], scalars: f.y)
        func loss(_ m: OptimizerGoldenTests.Problem, _ rows: Range<Int>) -> Tensor {
            let r = matmul(x.sliced(alongAxis: 0, range: rows), m.w) + m.b - y.sliced(alongAxis: 0, range: rows)
            return (r * r).sum()
        }
        let full = gradient(of: model) { loss($0, 0..<5) }
        var accumulator = GradientAccumulator()
        accumulator.add(gradient(of: model) { loss($0, 0..<2) })
        accumulator.add(gradient(of: model) { loss($0, 2..<5) })
        expectClose(accumulator.sum["w"]!, full["w"]!, relative: 1e-5, absolute: 1e-6)
        #expect(accumulator.count == 2)
        expectClose(accumulator.average()["b"]!, full["b"]! / 2, relative: 1e-5, absolute: 1e-6)
    }

    @Test func movingAverage() throws {
        let f = OptimizerGoldenTests.fixture
        let model = OptimizerGoldenTests.Problem(f)
        let ema = ExponentialMovingAverage(model, decay: 0.5)
        let w0 = model.w
        model.w = model.w + 2
        ema.update(from: model)
        expectClose(ema.averages["w"]!, w0 + 1, relative: 1e-6)
        try ema.copy(to: model)
        expectClose(model.w, w0 + 1, relative: 1e-6)
    }
}
