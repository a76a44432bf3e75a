/// Elementwise comparisons giving 0/1 masks, and the `isFinite`/`isNaN` masks.
///
/// The operators are the pointwise ones Swift uses for SIMD vectors (`.<`, `.==`, …):
/// `a .> b` is a Float tensor with 1 where aᵢ > bᵢ and 0 elsewhere (NaN compares false,
/// except in `.!=`), broadcasting like arithmetic. Masks are constants: they are never
/// recorded and no gradient flows through them, so they can multiply a differentiable
/// tensor (`x * (x .> 0)`) or select with ``where(_:_:_:)``.
///
/// A bare literal compares as a Float (`x .> 0`); the Tensor–Tensor overloads are marked
/// disfavoured so that the literal does not make the call ambiguous.
extension Tensor {
    static func compare(_ op: String, _ a: Tensor, _ b: Tensor,
                        _ test: (SIMD16<Float>, SIMD16<Float>) -> SIMDMask<SIMD16<Int32>>) -> Tensor {
        binaryKernel(op, a, b, { x, y in SIMD16<Float>(repeating: 0).replacing(with: 1, where: test(x, y)) },
                     { x, y in test(SIMD16(repeating: x), SIMD16(repeating: y))[0] ? 1 : 0 })
    }

    /// 1 where a > b, else 0.
    @_disfavoredOverload
    public static func .> (a: Tensor, b: Tensor) -> Tensor { compare("greater", a, b) { $0 .> $1 } }
    /// 1 where a < b, else 0.
    @_disfavoredOverload
    public static func .< (a: Tensor, b: Tensor) -> Tensor { compare("less", a, b) { $0 .< $1 } }
    /// 1 where a ≥ b, else 0.
    @_disfavoredOverload
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { compare("greaterEqual", a, b) { $0 .>= $1 } }
    /// 1 where a ≤ b, else 0.
    @_disfavoredOverload
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { compare("lessEqual", a, b) { $0 .<= $1 } }
    /// 1 where a = b, else 0.
    @_disfavoredOverload
    public static func .== (a: Tensor, b: Tensor) -> Tensor { compare("equal", a, b) { $0 .== $1 } }
    /// 1 where a ≠ b (or either is NaN), else 0.
    @_disfavoredOverload
    public static func .!= (a: Tensor, b: Tensor) -> Tensor { compare("notEqual", a, b) { $0 .!= $1 } }

    public static func .> (a: Tensor, b: Float) -> Tensor { a .> Tensor(b) }
    public static func .< (a: Tensor, b: Float) -> Tensor { a .< Tensor(b) }
    public static func .>= (a: Tensor, b: Float) -> Tensor { a .>= Tensor(b) }
    public static func .<= (a: Tensor, b: Float) -> Tensor { a .<= Tensor(b) }
    public static func .== (a: Tensor, b: Float) -> Tensor { a .== Tensor(b) }
    public static func .!= (a: Tensor, b: Float) -> Tensor { a .!= Tensor(b) }

    public static func .> (a: Float, b: Tensor) -> Tensor { Tensor(a) .> b }
    public static func .< (a: Float, b: Tensor) -> Tensor { Tensor(a) .< b }
    public static func .>= (a: Float, b: Tensor) -> Tensor { Tensor(a) .>= b }
    public static func .<= (a: Float, b: Tensor) -> Tensor { Tensor(a) .<= b }
    public static func .== (a: Float, b: Tensor) -> Tensor { Tensor(a) .== b }
    public static func .!= (a: Float, b: Tensor) -> Tensor { Tensor(a) .!= b }

    /// 1 where the element is finite (not ±∞, not NaN), else 0. Never recorded.
    public func isFinite() -> Tensor {
        vectorMap { x in
            SIMD16<Float>(repeating: 0).replacing(with: 1, where: VectorMath.abs(x) .< .infinity)
        }
    }

    /// 1 where the element is NaN, else 0. Never recorded.
    public func isNaN() -> Tensor {
        vectorMap { x in SIMD16<Float>(repeating: 0).replacing(with: 1, where: x .!= x) }
    }
}
