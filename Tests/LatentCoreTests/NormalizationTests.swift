import Foundation
import LatentCore
import LatentTestSupport
import Testing

@Suite struct NormalizationTests {
    static func values(_ n: Int, _ seed: Double = 1) -> [Float] {
        (0..<n).map { i -> Float in
            let t = Double(i)
            let a: Double = Foundation.sin(t * 1.7 + seed) * 2
            return Float(a + Foundation.cos(t * 0.31))
        }
    }

    /// Standardisation per channel of `[outer, channels, inner]` in Double.
    static func reference(_ x: [Float], outer: Int, channels: Int, inner: Int, epsilon: Double) -> [Float] {
        var out = [Float](repeating: 0, count: x.count)
        for c in 0..<channels {
            var idx: [Int] = []
            for o in 0..<outer { for i in 0..<inner { idx.append((o * channels + c) * inner + i) } }
            let m = idx.reduce(0.0) { $0 + Double(x[$1]) } / Double(idx.count)
            let v = idx.reduce(0.0) { $0 + (Double(x[$1]) - m) * (Double(x[$1]) - m) } / Double(idx.count)
            for k in idx { out[k] = Float((Double(x[k]) - m) / (v + epsilon).squareRoot()) }
        }
        return out
    }

    @Test func normalizedMatchesReference() {
        let cases: [([Int], Range<Int>)] = [([4, 3], 1..<2), ([3, 2, 5], 1..<2), ([2, 3, 37], 1..<2),
                                            ([2, 3, 37], 0..<2), ([5, 40], 0..<1), ([2, 2, 3, 4], 1..<2), ([6], 0..<0)]
        for (shape, kept) in cases {
            let x = Tensor(shape: shape, scalars: Self.values(Shape.count(shape)))
            let layout = AxisLayout(shape: shape, axes: kept)
            let expected = Self.reference(x.scalars, outer: layout.outer, channels: layout.length, inner: layout.inner,
                                          epsilon: 1e-5)
            let (y, mean, variance) = x.normalizedWithStatistics(keepingAxes: kept)
            expectClose(y, Tensor(shape: shape, scalars: expected), relative: 1e-5, absolute: 1e-5, "\(shape) \(kept)")
            #expect(mean.shape == Array(shape[kept]) && variance.shape == Array(shape[kept]))
            // The statistics agree with the composed reductions.
            let axes = (0..<shape.count).filter { !kept.contains($0) }
            expectClose(mean, x.mean(alongAxes: axes), relative: 1e-5, absolute: 1e-6)
            expectClose(variance, x.variance(alongAxes: axes), relative: 1e-5, absolute: 1e-6)
        }
    }

    @Test func normalizedGradients() {
        for (shape, kept) in [([4, 3], 1..<2), ([3, 2, 5], 1..<2), ([2, 4, 3], 0..<2), ([2, 3, 18], 1..<2)] as [([Int], Range<Int>)] {
            let x = Tensor(shape: shape, scalars: Self.values(Shape.count(shape)))
            expectGradient(at: [x], "\(shape) \(kept)") { $0[0].normalized(keepingAxes: kept) }
        }
    }

    @Test func normalizedSecondOrder() {
        let x = Tensor(shape: [3, 2, 4], scalars: Self.values(24))
        expectSecondOrderGradient(at: [x]) { $0[0].normalized(keepingAxes: 1..<2) }
        expectSecondOrderGradient(at: [x]) { $0[0].normalized(keepingAxes: 0..<2) * $0[0] }
    }

    /// The fused first-order kernel and the differentiable (createGraph) rule agree.
    @Test func kernelAndDifferentiableBackwardAgree() {
        let x = Tensor(shape: [3, 4, 19], scalars: Self.values(228))
        let weights = Tensor(shape: [3, 4, 19], scalars: Self.values(228, 4))
        let w = Tensor(shape: [19], scalars: Self.values(19, 2)), b = Tensor(shape: [19], scalars: Self.values(19, 3))
        for f in [{ (xs: [Tensor]) in xs[0].normalized(keepingAxes: 1..<2) },
                  { (xs: [Tensor]) in layerNorm(xs[0], normalizedShape: [19], weight: xs[1], bias: xs[2]) }] {
            let fast = gradient(at: [x, w, b]) { (f($0) * weights).sum() }
            let graph = gradient(at: [x, w, b], createGraph: true) { (f($0) * weights).sum() }
            for (a, c) in zip(fast, graph) { expectClose(a, c, relative: 1e-4, absolute: 1e-5) }
        }
    }

    // MARK: layerNorm

    @Test func layerNormMatchesReference() {
        for shape in [[2, 3, 5], [4, 40], [7]] {
            let normalized = shape.count == 3 ? [3, 5] : [shape.last!]
            let features = Shape.count(normalized)
            let x = Tensor(shape: shape, scalars: Self.values(Shape.count(shape)))
            let w = Tensor(shape: normalized, scalars: Self.values(features, 2))
            let b = Tensor(shape: normalized, scalars: Self.values(features, 3))
            let plain = Self.reference(x.scalars, outer: 1, channels: x.scalarCount / features, inner: features, epsilon: 1e-5)
            expectClose(layerNorm(x, normalizedShape: normalized), Tensor(shape: shape, scalars: plain),
                        relative: 1e-5, absolute: 1e-5)
            let affine = plain.enumerated().map { i, v in v * w.scalars[i % features] + b.scalars[i % features] }
            expectClose(layerNorm(x, normalizedShape: normalized, weight: w, bias: b), Tensor(shape: shape, scalars: affine),
                        relative: 1e-5, absolute: 1e-5)
            // Equal to the composed definition.
            let composed = x.normalized(keepingAxes: 0..<(shape.count - normalized.count), epsilon: 0.1) * w + b
            expectClose(layerNorm(x, normalizedShape: normalized, weight: w, bias: b, epsilon: 0.1), composed,
                        relative: 1e-5, absolute: 1e-5)
        }
    }

    @Test func layerNormGradients() {
        let x = Tensor(shape: [2, 3, 4], scalars: Self.values(24))
        let w = Tensor(shape: [3, 4], scalars: Self.values(12, 2)), b = Tensor(shape: [3, 4], scalars: Self.values(12, 3))
        expectGradient(at: [x]) { layerNorm($0[0], normalizedShape: [4]) }
        expectGradient(at: [x, w, b]) { layerNorm($0[0], normalizedShape: [3, 4], weight: $0[1], bias: $0[2]) }
        expectGradient(at: [x, w]) { layerNorm($0[0], normalizedShape: [3, 4], weight: $0[1]) }
        expectGradient(at: [x, b]) { layerNorm($0[0], normalizedShape: [3, 4], bias: $0[1]) }
        let wide = Tensor(shape: [2, 21], scalars: Self.values(42))
        let ww = Tensor(shape: [21], scalars: Self.values(21, 5))
        expectGradient(at: [wide, ww]) { layerNorm($0[0], normalizedShape: [21], weight: $0[1]) }
    }

    @Test func layerNormSecondOrder() {
        let x = Tensor(shape: [3, 4], scalars: Self.values(12))
        let w = Tensor(shape: [4], scalars: Self.values(4, 2)), b = Tensor(shape: [4], scalars: Self.values(4, 3))
        expectSecondOrderGradient(at: [x, w, b]) { layerNorm($0[0], normalizedShape: [4], weight: $0[1], bias: $0[2]) }
        expectSecondOrderGradient(at: [x]) { layerNorm($0[0], normalizedShape: [4]) * $0[0] }
    }

    @Test func validationMessages() {
        #expect(throws: ShapeError(op: "layerNorm", "input of shape [2, 3] does not end with the normalized shape [4]")) {
            try validateLayerNormShapes(input: [2, 3], normalizedShape: [4], weight: nil, bias: nil)
        }
        #expect(throws: ShapeError(op: "layerNorm", "weight of shape [3, 1] for normalized shape [3]")) {
            try validateLayerNormShapes(input: [2, 3], normalizedShape: [3], weight: [3, 1], bias: nil)
        }
        #expect(throws: ShapeError(op: "normalized", "kept axes 1..<3 are out of range for shape [2, 3]")) {
            try normalizationLayout(shape: [2, 3], keepingAxes: 1..<3, op: "normalized")
        }
        #expect(throws: ShapeError(op: "normalized", "shape [0, 3] leaves no elements to normalise over")) {
            _ = try normalizationLayout(shape: [0, 3], keepingAxes: 1..<2, op: "normalized")
        }
    }
}
