import Foundation
import LatentCore
import LatentTestSupport
import Testing

@Suite struct InverseErrorFunctionTests {
    @Test func erfinvMatchesSciPy() {
        // scipy.special.erfinv at the Float32 inputs.
        let x = Tensor([0.5, -0.9, 0.999, 0.1, 0.9999999, 0])
        let expected = Tensor([0.4769362762044699, -1.1630870719457722, 2.3267563267961546, 0.08885599182530647,
                               3.7439211627768, 0])
        expectClose(x.erfinv(), expected, relative: 2e-6, absolute: 0)
    }

    @Test func normalQuantileMatchesSciPy() {
        // scipy.special.ndtri at the Float32 inputs, down to the smallest subnormal.
        let p = Tensor([0.975, 1e-10, 0.001, 1e-30, 0.3, 1 - 0x1p-24, Float.leastNonzeroMagnitude])
        let expected = Tensor([1.9599643924763872, -6.361340900353645, -3.090232292061434, -11.464024688169063,
                               -0.5244004784222137, 5.294704084854597, -14.121426613350497])
        expectClose(p.normalQuantile(), expected, relative: 2e-6, absolute: 0)
    }

    @Test func edgesAndRoundTrip() {
        #expect(Tensor([1, -1]).erfinv().scalars == [.infinity, -.infinity])
        #expect(Tensor([0, 1]).normalQuantile().scalars == [-.infinity, .infinity])
        #expect(Tensor([1.5, -2]).erfinv().scalars.allSatisfy { $0.isNaN })
        #expect(Tensor([1.5, -0.1]).normalQuantile().scalars.allSatisfy { $0.isNaN })
        // erf(erf⁻¹(x)) = x over a fine grid, in Double.
        for i in 1..<2000 {
            let x = Double(i) / 1000 - 1
            let y = InverseErrorFunction.erfinv(x)
            #expect(abs(Foundation.erf(y) - x) <= 1e-15 * max(1, abs(x)) + 1e-16, "erfinv(\(x)) = \(y)")
            let p = Double(i) / 2000
            let z = InverseErrorFunction.normalQuantile(p)
            #expect(abs(0.5 * Foundation.erfc(-z / 2.0.squareRoot()) - p) <= 4e-15 * p, "ndtri(\(p)) = \(z)")
        }
    }

    @Test func gradients() {
        let x = Tensor([-0.8, -0.3, 0.05, 0.6, 0.9])
        expectGradient(at: [x], epsilon: 1e-3) { $0[0].erfinv() }
        expectSecondOrderGradient(at: [x], tolerance: 5e-2, epsilon: 1e-3) { $0[0].erfinv() }
        let p = Tensor([0.02, 0.2, 0.5, 0.7, 0.97])
        expectGradient(at: [p], epsilon: 1e-3) { $0[0].normalQuantile() }
        expectSecondOrderGradient(at: [p], tolerance: 5e-2, epsilon: 1e-3) { $0[0].normalQuantile() }
        // Exact form of the first derivative.
        let g = gradient(at: x) { $0.erfinv().sum() }
        let y = x.erfinv()
        expectClose(g, (y * y).exp() * (Float.pi.squareRoot() / 2), relative: 1e-6)
    }
}
