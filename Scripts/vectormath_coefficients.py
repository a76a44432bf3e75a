#!/usr/bin/env python3
"""Fits the polynomial coefficients used by Sources/LatentCore/Kernels/VectorMath.swift.

Each kernel approximates a smooth function of a reduced argument by a polynomial. The
coefficients are fitted here, one at a time from the lowest order: each step fits the
remaining coefficients by Lawson's iteration (weighted least squares on Chebyshev nodes
converging to the minimax fit of the *relative* error), rounds the lowest one to Float32
and keeps it fixed, so the later coefficients absorb the rounding of the earlier ones.
Reference values come from mpmath at 40 digits. The script prints Swift constants and
the fit's maximum relative error with the rounded coefficients (evaluated in float64: it
measures the approximation, not the Float32 arithmetic of the kernel).

Usage:  python3 Scripts/vectormath_coefficients.py
"""
import mpmath as mp
import numpy as np

mp.mp.dps = 40


def fit(name, f, lo, hi, degree, n=1500, iterations=40):
    """Polynomial p of the given degree with p(u) ≈ f(u) on [lo, hi] in relative error."""
    k = np.arange(n)
    u = 0.5 * (lo + hi) + 0.5 * (hi - lo) * np.cos(np.pi * (k + 0.5) / n)
    y = np.array([float(f(mp.mpf(float(x)))) for x in u])
    A = np.vander(u, degree + 1, increasing=True)
    fixed = []
    for j in range(degree + 1):
        rest = y - (A[:, :j] @ np.array(fixed) if j else 0)
        B = A[:, j:]
        w = np.ones(n) / n
        for _ in range(iterations):
            sw = np.sqrt(w) / np.abs(y)
            c, *_ = np.linalg.lstsq(B * sw[:, None], rest * sw, rcond=None)
            w = w * (np.abs(B @ c - rest) / np.abs(y) + 1e-30)
            w /= w.sum()
        fixed.append(float(np.float32(c[0])))
    err = np.max(np.abs(A @ np.array(fixed) - y) / np.abs(y))
    print(f"// {name}: degree {degree} on [{lo:.6g}, {hi:.6g}], max relative error {err:.3g}")
    print(f"static let {name}: [Float] = [" + ", ".join(repr(float(np.float32(c))) for c in fixed) + "]")


def main():
    ln2 = mp.log(2)
    # exp / expm1: e^r - 1 = r + r^2 Q(r) for |r| <= ln2/2.
    fit("expQ", lambda r: (mp.exp(r) - 1 - r) / r**2 if r != 0 else mp.mpf(0.5),
        -float(ln2) / 2, float(ln2) / 2, 5)
    # log: with s = f/(2+f), z = s^2: log1p(f) = f - f^2/2 + s (f^2/2 + z R(z)),
    # where z R(z) = (2 atanh s - 2 s)/s; for 1+f in [sqrt(1/2), sqrt(2)], z <= (3 - 2 sqrt 2)^2.
    zmax = float(((mp.sqrt(2) - 1) / (mp.sqrt(2) + 1)) ** 2)
    fit("logR", lambda z: (2 * mp.atanh(mp.sqrt(z)) - 2 * mp.sqrt(z)) / (mp.sqrt(z) * z), 1e-12, zmax, 3)
    # sin r = r + r^3 S(r^2), cos r = 1 - r^2/2 + r^4 C(r^2) for |r| <= pi/4.
    q = float(mp.pi / 4) ** 2
    fit("sinS", lambda z: (mp.sin(mp.sqrt(z)) - mp.sqrt(z)) / (mp.sqrt(z) * z), 1e-12, q, 3)
    fit("cosC", lambda z: (mp.cos(mp.sqrt(z)) - 1 + z / 2) / (z * z), 1e-12, q, 3)
    # erf x = x P(x^2) for |x| <= 1.
    fit("erfP", lambda z: mp.erf(mp.sqrt(z)) / mp.sqrt(z), 1e-12, 1.0, 6)
    # erfc y = exp(-y^2) G(u) with u = 1/(1+y), for y in [0.5, 10.1] (u in [1/11.1, 2/3]).
    fit("erfcG", lambda u: mp.erfc(1 / u - 1) * mp.exp((1 / u - 1) ** 2), 1 / 11.1, 1 / 1.5, 10)


if __name__ == "__main__":
    main()
