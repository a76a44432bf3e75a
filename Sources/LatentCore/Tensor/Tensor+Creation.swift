/// Constructors for common tensors.
extension Tensor {
    /// All zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }
    /// All ones.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }
    /// Every element `value`.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor { Tensor(repeating: value, shape: shape) }
    /// Zeros shaped like `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }
    /// Ones shaped like `other`.
    public static func ones(like other: Tensor) -> Tensor { ones(other.shape) }

    /// `start, start + step, …` up to but excluding `end` (as NumPy's `arange`).
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
        ensure(step != 0, "arange: step must not be zero")
        let n = max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor(shape: [n]) { p, n in for i in 0..<n { p[i] = start + Float(i) * step } }
    }

    /// `count` evenly spaced values from `start` to `end` inclusive.
    public static func linspace(_ start: Float, _ end: Float, count: Int) -> Tensor {
        ensure(count >= 0, "linspace: negative count \(count)")
        return Tensor(shape: [count]) { p, n in
            let step = n > 1 ? (Double(end) - Double(start)) / Double(n - 1) : 0
            for i in 0..<n { p[i] = Float(Double(start) + Double(i) * step) }
            if n > 1 { p[n - 1] = end }
        }
    }

    /// The `n × n` identity matrix (or `n × m` with ones on the diagonal).
    public static func eye(_ n: Int, _ m: Int? = nil) -> Tensor {
        let m = m ?? n
        return Tensor(shape: [n, m]) { p, count in
            p.update(repeating: 0, count: count)
            for i in 0..<min(n, m) { p[i * m + i] = 1 }
        }
    }
}
