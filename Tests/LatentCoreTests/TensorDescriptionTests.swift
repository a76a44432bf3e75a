import LatentCore
import Testing

/// Expected strings come from NumPy 2.4's `np.array2string(x.astype(np.float32), separator=", ")`,
/// with NumPy's bare `1.` written `1.0` (a deliberate difference).
@Suite struct TensorDescriptionTests {
    @Test func smallTensorsPrintLikeNumPy() {
        #expect(Tensor([[1, 2], [3, 4]]).description == "[[1.0, 2.0],\n [3.0, 4.0]]")
        #expect(Tensor([[1.5, -2.25], [3, 4]]).description == "[[ 1.5 , -2.25],\n [ 3.0 ,  4.0 ]]")
        #expect((Tensor.arange(0, 24).reshaped(2, 3, 4) * 0.5 - 3).description ==
            "[[[-3.0, -2.5, -2.0, -1.5],\n  [-1.0, -0.5,  0.0,  0.5],\n  [ 1.0,  1.5,  2.0,  2.5]],\n\n [[ 3.0,  3.5,  4.0,  4.5],\n  [ 5.0,  5.5,  6.0,  6.5],\n  [ 7.0,  7.5,  8.0,  8.5]]]")
        #expect(Tensor([0.1, 0.2, 0.3, 1.0 / 3]).description == "[0.1       , 0.2       , 0.3       , 0.33333334]")
        #expect(Tensor([-0.0, 0.5]).description == "[-0.0,  0.5]")
    }

    @Test func scalarsAndEmptyTensors() {
        #expect(Tensor(3.5).description == "3.5")
        #expect(Tensor(2).description == "2.0")
        #expect(Tensor(-0.125).description == "-0.125")
        #expect(Tensor.zeros([0, 3]).description == "[]")
        #expect(Tensor(shape: [1], scalars: [7]).description == "[7.0]")
    }

    @Test func nonFiniteValuesAreAligned() {
        #expect(Tensor([.nan, 1.5, -.infinity]).description == "[ nan,  1.5, -inf]")
        #expect(Tensor([.nan]).description == "[nan]")
        #expect(Tensor([.infinity, -.infinity]).description == "[ inf, -inf]")
    }

    @Test func scientificNotationAsNumPy() {
        #expect(Tensor([1e-5, 1.25e3]).description == "[1.00e-05, 1.25e+03]")
        #expect(Tensor([1e20, -3e-20]).description == "[ 1.0e+20, -3.0e-20]")
        #expect(Tensor([1e-10, 0]).description == "[1.0e-10, 0.0e+00]")
    }

    @Test func longRowsWrapAt75Characters() {
        #expect((Tensor.arange(0, 30) / 7).description ==
            "[0.0       , 0.14285715, 0.2857143 , 0.42857143, 0.5714286 , 0.71428573,\n 0.85714287, 1.0       , 1.1428572 , 1.2857143 , 1.4285715 , 1.5714285 ,\n 1.7142857 , 1.8571428 , 2.0       , 2.142857  , 2.2857144 , 2.4285715 ,\n 2.5714285 , 2.7142856 , 2.857143  , 3.0       , 3.142857  , 3.2857144 ,\n 3.4285715 , 3.5714285 , 3.7142856 , 3.857143  , 4.0       , 4.142857  ]")
    }

    @Test func largeTensorsAreSummarised() {
        #expect(Tensor.arange(0, 2000).reshaped(40, 50).description ==
            "[[0.000e+00, 1.000e+00, 2.000e+00, ..., 4.700e+01, 4.800e+01, 4.900e+01],\n [5.000e+01, 5.100e+01, 5.200e+01, ..., 9.700e+01, 9.800e+01, 9.900e+01],\n [1.000e+02, 1.010e+02, 1.020e+02, ..., 1.470e+02, 1.480e+02, 1.490e+02],\n ...,\n [1.850e+03, 1.851e+03, 1.852e+03, ..., 1.897e+03, 1.898e+03, 1.899e+03],\n [1.900e+03, 1.901e+03, 1.902e+03, ..., 1.947e+03, 1.948e+03, 1.949e+03],\n [1.950e+03, 1.951e+03, 1.952e+03, ..., 1.997e+03, 1.998e+03, 1.999e+03]]")
        #expect((Tensor.arange(0, 1001) * 0.25).description == "[  0.0 ,   0.25,   0.5 , ..., 249.5 , 249.75, 250.0 ]")
        #expect((Tensor.arange(0, 2400).reshaped(2, 2, 2, 300) * 0.5).description ==
            "[[[[0.0000e+00, 5.0000e-01, 1.0000e+00, ..., 1.4850e+02, 1.4900e+02,\n    1.4950e+02],\n   [1.5000e+02, 1.5050e+02, 1.5100e+02, ..., 2.9850e+02, 2.9900e+02,\n    2.9950e+02]],\n\n  [[3.0000e+02, 3.0050e+02, 3.0100e+02, ..., 4.4850e+02, 4.4900e+02,\n    4.4950e+02],\n   [4.5000e+02, 4.5050e+02, 4.5100e+02, ..., 5.9850e+02, 5.9900e+02,\n    5.9950e+02]]],\n\n\n [[[6.0000e+02, 6.0050e+02, 6.0100e+02, ..., 7.4850e+02, 7.4900e+02,\n    7.4950e+02],\n   [7.5000e+02, 7.5050e+02, 7.5100e+02, ..., 8.9850e+02, 8.9900e+02,\n    8.9950e+02]],\n\n  [[9.0000e+02, 9.0050e+02, 9.0100e+02, ..., 1.0485e+03, 1.0490e+03,\n    1.0495e+03],\n   [1.0500e+03, 1.0505e+03, 1.0510e+03, ..., 1.1985e+03, 1.1990e+03,\n    1.1995e+03]]]]")
        // Exactly 1000 elements are printed in full.
        #expect(!Tensor.zeros([1000]).description.contains("..."))
        #expect(Tensor.zeros([1001]).description == "[0.0, 0.0, 0.0, ..., 0.0, 0.0, 0.0]")
    }

    @Test func formattingOptions() {
        #expect((Tensor.arange(0, 12).reshaped(3, 4) * 0.5).formatted(threshold: 5, edgeItems: 1) ==
            "[[0.0, ..., 1.5],\n ...,\n [4.0, ..., 5.5]]")
        #expect(Tensor([1, 2, 3, 4]).formatted(lineWidth: 12) == "[1.0, 2.0,\n 3.0, 4.0]")
    }

    @Test func debugDescriptionShowsShapeAndOp() {
        #expect(String(reflecting: Tensor([[1, 2], [3, 4]])) == "Tensor([[1.0, 2.0],\n        [3.0, 4.0]], shape: [2, 2])")
        #expect(String(reflecting: Tensor(2)) == "Tensor(2.0, shape: [])")
        _ = gradient(at: Tensor([1, 2])) { x in
            let y = x * x
            #expect(String(reflecting: y) == "Tensor([1.0, 4.0], shape: [2], gradNode: multiply)")
            return y.sum()
        }
        #expect("\(Tensor([0.5]))" == "[0.5]")
    }
}
