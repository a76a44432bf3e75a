import Foundation

/// The exponential and the natural logarithm (elementwise).
extension Tensor {
    /// eˣ, elementwise.
    public func exp() -> Tensor {
        let out = unaryKernel({ v in SIMD16(v.indices.map { Foundation.exp(v[$0]) }) }, { Foundation.exp($0) })
        return Tensor.record("exp", inputs: [self], output: out) { ctx in [ctx.gradient * ctx.output] }
    }

    /// ln x, elementwise.
    public func log() -> Tensor {
        let out = unaryKernel({ v in SIMD16(v.indices.map { Foundation.log(v[$0]) }) }, { Foundation.log($0) })
        return Tensor.record("log", inputs: [self], output: out) { ctx in [ctx.gradient / ctx.inputs[0]] }
    }
}
