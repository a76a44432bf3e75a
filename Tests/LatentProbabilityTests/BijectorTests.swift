import Foundation
import LatentCore
import LatentProbability
import LatentTestSupport
import Testing

/// Every bijector through the shared loop (`checkBijector`): round trips, log-determinant
/// against the autodiff Jacobian, inverse log-determinant, batch shapes, finite gradients.
@Suite struct BijectorTests {
    static let bound: Float = 3

    /// A spline with random parameters for a batch `[4, 3]` of elements.
    static func spline(binCount k: Int = 5, derivativeCount: Int? = nil, seed: UInt64 = 7) -> RationalQuadraticSpline {
        var rng = RandomGenerator(seed: seed)
        return RationalQuadraticSpline(widths: rng.normal([4, 3, k]), heights: rng.normal([4, 3, k]),
                                       derivatives: rng.normal([4, 3, derivativeCount ?? (k - 1)]), bound: bound)
    }

    static let caseNames = ["identity", "affine", "affineEvent", "exp", "sigmoid", "logit", "tanh", "softplus",
                            "permute", "reshape", "compose", "composeReshape", "inverseSigmoid", "reinterpretedExp",
                            "spline", "splineBoundaryDerivatives", "splineOneBin", "inverseSpline", "splineBroadcast"]

    static func makeCase(_ name: String) -> (any Bijector, Tensor) {
        var rng = RandomGenerator(seed: 11)
        let x = rng.normal([4, 3])
        switch name {
        case "identity": return (Identity(), x)
        case "affine": return (Affine(shift: [0.5, -1, 2], scale: [2, -0.5, 1.5]), x)
        case "affineEvent": return (Affine(shift: [0.5, -1, 2], scale: [2, -0.5, 1.5], eventRank: 1), x)
        case "exp": return (Exp(), x)
        case "sigmoid": return (Sigmoid(), 2 * x)
        case "logit": return (Logit(), rng.uniform([4, 3], low: 0.05, high: 0.95))
        case "tanh": return (Tanh(), x)
        case "softplus": return (Softplus(), 2 * x)
        case "permute": return (Permute([2, 0, 1]), x)
        case "reshape": return (Reshape(inputEventShape: [2, 3], outputEventShape: [6]), rng.normal([4, 2, 3]))
        case "compose":
            return (Compose([Affine(shift: [0.1, 0.2, 0.3], scale: [1.5, 0.7, -2]), Tanh(), Permute.reversal(3)]), 0.5 * x)
        case "composeReshape":
            return (Compose([Exp(), Reshape(inputEventShape: [2, 3], outputEventShape: [6]), Permute([5, 3, 1, 0, 2, 4]),
                             Affine(shift: 1, scale: [1, 2, 3, 4, 5, 6])]), rng.normal([3, 2, 3]))
        case "inverseSigmoid": return (Sigmoid().inverted, rng.uniform([4, 3], low: 0.05, high: 0.95))
        case "reinterpretedExp": return (Exp().reinterpreting(eventRank: 1), x)
        case "spline": return (spline(), 1.5 * x)
        case "splineBoundaryDerivatives": return (spline(derivativeCount: 6), 1.5 * x)
        case "splineOneBin": return (spline(binCount: 1), 1.5 * x)
        case "inverseSpline": return (spline().inverted, 1.5 * x)
        case "splineBroadcast":
            return (RationalQuadraticSpline(widths: [0.3, -1, 0.5, 2], heights: [1, 0, -0.5, 0.2], derivatives: [0.5, -2, 1]), x)
        default: preconditionFailure("unknown case \(name)")
        }
    }

    @Test(arguments: caseNames)
    func sharedLoop(_ name: String) {
        let (bijector, x) = Self.makeCase(name)
        checkBijector(bijector, inputs: x, name)
    }

    @Test func composeEventRanks() {
        let c = Compose([Exp(), Permute([1, 0])])
        #expect(c.eventRank == 1 && c.outputEventRank == 1)
        let r = Compose([Exp(), Reshape(inputEventShape: [2, 3], outputEventShape: [6]), Exp()])
        #expect(r.eventRank == 2 && r.outputEventRank == 1)
        #expect(r.forwardShape([5, 2, 3]) == [5, 6] && r.inverseShape([5, 6]) == [5, 2, 3])
        let (y, logDet) = r.forwardAndLogAbsDetJacobian(Tensor.zeros([5, 2, 3]))
        #expect(y.shape == [5, 6] && logDet.shape == [5])
        // Σ x for the first Exp plus Σ e^x = 6 for the second.
        expectClose(logDet, Tensor.full([5], 6))
        #expect(Compose([]).eventRank == 0)
        let inverse = Inverse(Reshape(inputEventShape: [4], outputEventShape: [2, 2]))
        #expect(inverse.eventRank == 2 && inverse.outputEventRank == 1)
    }

    @Test func extremeInputsStayFinite() {
        let x: Tensor = [-1000, -100, -20, -9, 0, 9, 20, 100, 1000]
        for b in [Sigmoid(), Tanh(), Softplus()] as [any Bijector] {
            checkBijector(b, inputs: x, checkRoundTrip: false, checkJacobian: false, "extreme")
        }
        checkBijector(Logit(), inputs: [0, 1e-30, 0.5, 1 - 1e-8, 1], checkRoundTrip: false, checkJacobian: false)
        // Tanh's log-derivative is exact far out, where 1 − tanh² underflows.
        let (_, logDet) = Tanh().forwardAndLogAbsDetJacobian([-50, 50])
        expectClose(logDet, [2 * (0.6931472 - 50), 2 * (0.6931472 - 50)], relative: 1e-6)
    }

    // MARK: - Spline

    @Test func splineBoundaryAndTails() {
        let b = Self.bound
        let s = Self.spline()
        let x = Tensor(shape: [4, 3], scalars: [-1000, -b - 1, -b, b, b + 1, 1000, 0, -b, b, 0.5, -0.5, 2.999])
        let (y, logDet) = s.forwardAndLogAbsDetJacobian(x)
        let ys = y.scalars, ls = logDet.scalars
        for i in [0, 1, 4, 5] { #expect(ys[i] == x.scalars[i] && ls[i] == 0, "identity outside [−B, B] at \(x.scalars[i])") }
        for i in [2, 3, 7, 8] { #expect(Swift.abs(ys[i] - x.scalars[i]) < 1e-5, "spline fixes ±B, got \(ys[i]) at \(x.scalars[i])") }
        // Inverse of the same points.
        checkBijector(s, inputs: x, "boundary")
        // Finite gradients with respect to the parameters at and beyond the boundary.
        let params = [s.widths, s.heights, s.derivatives]
        for direction in [false, true] {
            let grads = gradient(at: params) { p in
                let spline = RationalQuadraticSpline(widths: p[0], heights: p[1], derivatives: p[2], bound: b)
                let (v, l) = direction ? spline.inverseAndLogAbsDetJacobian(x) : spline.forwardAndLogAbsDetJacobian(x)
                return v.sum() + l.sum()
            }
            for g in grads { #expect(g.scalars.allSatisfy { $0.isFinite }, "parameter gradient not finite (inverse: \(direction))") }
        }
    }

    @Test func splineParameterGradients() {
        var rng = RandomGenerator(seed: 3)
        let x = Tensor(shape: [2, 3], scalars: [-2.5, -1, -0.2, 0.4, 1.7, 2.8])
        let w = rng.normal([2, 3, 4]), h = rng.normal([2, 3, 4]), d = rng.normal([2, 3, 3])
        expectGradient(at: [w, h, d, x], tolerance: 3e-2, epsilon: 1e-2) { p in
            let s = RationalQuadraticSpline(widths: p[0], heights: p[1], derivatives: p[2])
            let (y, l) = s.forwardAndLogAbsDetJacobian(p[3])
            return y + l
        }
        expectGradient(at: [w, h, d, x], tolerance: 3e-2, epsilon: 1e-2) { p in
            let s = RationalQuadraticSpline(widths: p[0], heights: p[1], derivatives: p[2])
            let (y, l) = s.inverseAndLogAbsDetJacobian(p[3])
            return y + l
        }
    }

    @Test func splineIsMonotonicAndIdentityForNeutralParameters() {
        let s = Self.spline()
        let grid = Tensor.linspace(-4, 4, count: 201)
        for row in 0..<4 {
            for column in 0..<3 {
                let single = RationalQuadraticSpline(widths: s.widths.sliced(starts: [row, column, 0], sizes: [1, 1, 5]).reshaped(to: [5]),
                                                     heights: s.heights.sliced(starts: [row, column, 0], sizes: [1, 1, 5]).reshaped(to: [5]),
                                                     derivatives: s.derivatives.sliced(starts: [row, column, 0], sizes: [1, 1, 4]).reshaped(to: [4]))
                let y = single.forward(grid).scalars
                #expect(zip(y, y.dropFirst()).allSatisfy { $0 < $1 }, "not increasing")
            }
        }
        // Equal bins and inner derivatives of 1 (softplus⁻¹(1 − m_d)) give the identity.
        let neutral = Float(log(expm1(Double(1 - 1e-3))))
        let identity = RationalQuadraticSpline(widths: Tensor.zeros([4]), heights: Tensor.zeros([4]),
                                               derivatives: Tensor.full([3], neutral))
        let (y, logDet) = identity.forwardAndLogAbsDetJacobian(grid)
        expectClose(y, grid, relative: 1e-5, absolute: 1e-5)
        expectClose(logDet, Tensor.zeros([201]), absolute: 1e-5)
    }

    @Test func splineFromPackedParameters() {
        var rng = RandomGenerator(seed: 5)
        let p = rng.normal([2, 3 * 4 - 1])
        let s = RationalQuadraticSpline(parameters: p, binCount: 4, bound: 2)
        #expect(s.binCount == 4 && s.derivatives.shape == [2, 3])
        checkBijector(s, inputs: [-1.5, 1.9], "packed")
    }

    // MARK: - Validation messages

    @Test func invalidParametersTrapWithTheMessage() async {
        func stderr(_ result: ExitTest.Result?) -> String { String(decoding: result?.standardErrorContent ?? [], as: UTF8.self) }
        var r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = RationalQuadraticSpline(widths: Tensor.zeros([2, 4]), heights: Tensor.zeros([2, 4]), derivatives: Tensor.zeros([2, 4]))
        }
        #expect(stderr(r).contains("RationalQuadraticSpline: derivatives of shape [2, 4] must be [2, 3] or [2, 5]"), "\(stderr(r))")
        r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Affine(shift: 0, scale: [1, 0])
        }
        #expect(stderr(r).contains("Affine: scale must be finite and non-zero, found 0.0 at flat index 1"), "\(stderr(r))")
    }

    @Test func validationMessages() {
        #expect(throws: DistributionParameterError("Permute", "[0, 0] is not a permutation of 0..<2")) {
            try Permute.validate([0, 0])
        }
        #expect(throws: DistributionParameterError("Affine", "scale must be finite and non-zero, found 0.0 at flat index 1")) {
            try Affine.validate(scale: [1, 0], eventRank: 0)
        }
        #expect(throws: ShapeError(op: "Reshape", "event shapes [2, 3] and [5] do not have the same number of elements")) {
            try Reshape.validate(inputEventShape: [2, 3], outputEventShape: [5])
        }
        #expect(throws: ShapeError(op: "RationalQuadraticSpline", "derivatives of shape [2, 4] must be [2, 3] or [2, 5] for widths of shape [2, 4]")) {
            try RationalQuadraticSpline.validateShapes(widths: [2, 4], heights: [2, 4], derivatives: [2, 4])
        }
        #expect(throws: DistributionParameterError("RationalQuadraticSpline", "bound must be positive and finite, got -1.0")) {
            try RationalQuadraticSpline.validate(binCount: 4, bound: -1, minimumBinWidth: 1e-3, minimumBinHeight: 1e-3, minimumDerivative: 1e-3)
        }
    }
}
