import LatentCore

/// Helpers that keep values and gradients finite at the edges of a support.
///
/// `where(mask, a, b)` passes no gradient to the branch it does not pick, but a NaN or
/// infinite *partial derivative* inside that branch still turns 0·∞ into NaN. These
/// helpers therefore feed each branch only arguments at which it is finite.

/// x·ln y, with 0·ln y = 0 wherever x = 0 (including y = 0), as `torch.xlogy`.
func xlogy(_ x: Tensor, _ y: Tensor) -> Tensor {
    let zero = x .== 0
    return `where`(zero, Tensor(0), x * `where`(zero, Tensor(1), y).log())
}

/// x·ln(1 + y), with 0 wherever x = 0, as `torch.special.xlog1py`.
func xlog1py(_ x: Tensor, _ y: Tensor) -> Tensor {
    let zero = x .== 0
    return `where`(zero, Tensor(0), x * `where`(zero, Tensor(0), y).log1p())
}

/// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b).
func logBeta(_ a: Tensor, _ b: Tensor) -> Tensor {
    a.lgamma() + b.lgamma() - (a + b).lgamma()
}

/// Evaluates a log-density `f` at `value` where `inside` (a 0/1 mask) is 1, and gives
/// −∞ elsewhere; `f` only ever sees points inside the support (`substitute` replaces the
/// others), so neither its value nor its gradient can be NaN there.
func logDensity(inside: Tensor, value: Tensor, substitute: Float, _ f: (Tensor) -> Tensor) -> Tensor {
    let safe = `where`(inside, value, Tensor(substitute))
    return `where`(inside, f(safe), Tensor(-Float.infinity))
}

/// ln(1 + y²), finite for every finite y (for |y| > 1 it is 2 ln|y| + ln(1 + 1/y²),
/// where y² would overflow above 1.8·10¹⁹).
func log1pSquare(_ y: Tensor) -> Tensor {
    let large = y.abs() .> 1
    let small = `where`(large, Tensor(0), y)
    let big = `where`(large, y.abs(), Tensor(2))
    return `where`(large, big.log() * 2 + (1 / big.square()).log1p(), small.square().log1p())
}
