/// The Philox4x32-10 counter-based random bijection.
///
/// Philox maps a 128-bit counter and a 64-bit key to 128 random bits through ten rounds of
/// a cheap, invertible mixing function. Because every block is a pure function of
/// `(counter, key)`, any block of a stream can be computed directly, in any order, on any
/// thread: this is what makes ``RandomGenerator`` give the same numbers for every thread count.
///
/// One round, with `(hi, lo) = mulhilo(a, b)` the high and low 32-bit halves of the 64-bit
/// product `a · b`:
///
///     (hi₀, lo₀) = mulhilo(M₀, c₀),   (hi₁, lo₁) = mulhilo(M₁, c₂)
///     c ← (hi₁ ⊕ c₁ ⊕ k₀,  lo₁,  hi₀ ⊕ c₃ ⊕ k₁,  lo₀)
///
/// and between rounds the key is bumped by the Weyl constants `(W₀, W₁)`. The constants
/// are those of Random123, JAX and PyTorch, so streams match theirs bit for bit given the
/// same counter and key.
///
/// From Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy as 1, 2, 3" (SC 2011).
public enum Philox {
    /// Round multipliers `M₀`, `M₁`.
    public static let multipliers: (UInt32, UInt32) = (0xD251_1F53, 0xCD9E_8D57)
    /// Key increments `W₀` (golden ratio) and `W₁` (√3 − 1), as 32-bit fractions.
    public static let weylIncrements: (UInt32, UInt32) = (0x9E37_79B9, 0xBB67_AE85)
    /// Number of rounds.
    public static let rounds = 10

    /// The 128 random bits for one counter value under one key.
    ///
    /// - Parameters:
    ///   - counter: Four 32-bit words `(c₀, c₁, c₂, c₃)`.
    ///   - key: Two 32-bit words `(k₀, k₁)`.
    @inlinable
    public static func block(counter: SIMD4<UInt32>, key: SIMD2<UInt32>) -> SIMD4<UInt32> {
        var c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3]
        var k0 = key[0], k1 = key[1]
        let m0 = UInt64(multipliers.0), m1 = UInt64(multipliers.1)
        let (w0, w1) = weylIncrements
        for round in 0..<rounds {
            if round > 0 {
                k0 &+= w0
                k1 &+= w1
            }
            let p0 = m0 &* UInt64(c0)
            let p1 = m1 &* UInt64(c2)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
            c0 = hi1 ^ c1 ^ k0
            c1 = lo1
            c2 = hi0 ^ c3 ^ k1
            c3 = lo0
        }
        return SIMD4(c0, c1, c2, c3)
    }

    /// The block for a 128-bit counter value, split little-endian into four 32-bit words
    /// (`c₀` holds the lowest bits).
    @inlinable
    public static func block(counter: UInt128, key: SIMD2<UInt32>) -> SIMD4<UInt32> {
        block(counter: words(counter), key: key)
    }

    /// The four little-endian 32-bit words of a 128-bit counter.
    @inlinable
    public static func words(_ counter: UInt128) -> SIMD4<UInt32> {
        SIMD4(UInt32(truncatingIfNeeded: counter), UInt32(truncatingIfNeeded: counter >> 32),
              UInt32(truncatingIfNeeded: counter >> 64), UInt32(truncatingIfNeeded: counter >> 96))
    }
}
