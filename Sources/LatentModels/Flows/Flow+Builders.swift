import LatentCore
import LatentNN

extension Flow {
    /// RealNVP for vectors (Dinh et al. 2017): `layers` affine couplings alternating which
    /// half is transformed, each preceded (on the data side) by an ``ActNorm``.
    ///
    /// - Parameters:
    ///   - dimension: D ≥ 2.
    ///   - layers: Number of coupling layers.
    ///   - hidden: Hidden widths of each conditioner MLP.
    ///   - additive: Volume-preserving additive couplings (NICE) instead of affine ones.
    ///   - actNorm: Insert ActNorm layers (data-dependent initialisation).
    ///   - batchNorm: Insert ``BatchNormFlow`` layers instead of ActNorm.
    ///   - contextSize: Context vector size for a conditional flow (0: none).
    ///   - generator: Random stream for the initial weights.
    public static func realNVP(dimension: Int, layers: Int = 8, hidden: [Int] = [256, 256], additive: Bool = false,
                               actNorm: Bool = true, batchNorm: Bool = false, contextSize: Int = 0,
                               generator: inout RandomGenerator) -> Flow {
        var transforms: [any FlowTransform] = []
        for i in 0..<layers {
            transforms.append(Coupling(dimension: dimension, hidden: hidden, transform: additive ? .additive : .affine(),
                                       transformsFirstPart: i % 2 == 1, contextSize: contextSize, generator: &generator))
            if batchNorm { transforms.append(BatchNormFlow(featureCount: dimension)) }
            else if actNorm { transforms.append(ActNorm(featureCount: dimension)) }
        }
        return Flow(eventShape: [dimension], transforms: transforms, contextSize: contextSize)
    }

    /// A masked autoregressive flow (Papamakarios et al. 2017): `layers` MADE affine
    /// transforms with the order reversed between them (and optional batch norm). With
    /// `inverse: true`, an inverse autoregressive flow (IAF, Kingma et al. 2016): one-pass
    /// sampling, D-pass density of external points.
    ///
    /// - Parameters:
    ///   - dimension: D.
    ///   - layers: Number of autoregressive layers.
    ///   - hidden: Hidden widths of each MADE.
    ///   - batchNorm: Insert ``BatchNormFlow`` between layers (as in the MAF paper).
    ///   - actNorm: Insert ``ActNorm`` between layers (when `batchNorm` is off).
    ///   - inverse: Build an IAF.
    ///   - contextSize: Context vector size for a conditional flow (0: none).
    ///   - generator: Random stream for the initial weights.
    public static func maf(dimension: Int, layers: Int = 5, hidden: [Int] = [512], batchNorm: Bool = false,
                           actNorm: Bool = true, inverse: Bool = false, contextSize: Int = 0,
                           generator: inout RandomGenerator) -> Flow {
        var transforms: [any FlowTransform] = []
        for i in 0..<layers {
            if i > 0 { transforms.append(FlowPermutation.reversal(dimension)) }
            transforms.append(MaskedAutoregressiveTransform(dimension: dimension, hidden: hidden, inverted: inverse,
                                                            contextSize: contextSize, generator: &generator))
            if batchNorm { transforms.append(BatchNormFlow(featureCount: dimension)) }
            else if actNorm { transforms.append(ActNorm(featureCount: dimension)) }
        }
        return Flow(eventShape: [dimension], transforms: transforms, contextSize: contextSize)
    }

    /// Neural spline flow (Durkan et al. 2019): `layers` rational-quadratic spline
    /// transforms, coupling (RQ-NSF (C)) or autoregressive (RQ-NSF (AR)), with random
    /// permutations between them and ActNorm on the data side of each.
    ///
    /// - Parameters:
    ///   - dimension: D ≥ 2 (coupling) or ≥ 1 (autoregressive).
    ///   - layers: Number of spline layers.
    ///   - hidden: Hidden widths of each conditioner.
    ///   - binCount: K bins per spline.
    ///   - bound: The splines cover [−B, B]; identity outside.
    ///   - autoregressive: MADE conditioners instead of couplings.
    ///   - actNorm: Insert ActNorm layers.
    ///   - contextSize: Context vector size for a conditional flow (0: none).
    ///   - generator: Random stream for the initial weights and permutations.
    public static func nsf(dimension: Int, layers: Int = 5, hidden: [Int] = [128, 128], binCount: Int = 8,
                           bound: Float = 4, autoregressive: Bool = false, actNorm: Bool = true,
                           contextSize: Int = 0, generator: inout RandomGenerator) -> Flow {
        var transforms: [any FlowTransform] = []
        let spline = ElementwiseTransform.spline(binCount: binCount, bound: bound)
        for i in 0..<layers {
            if i > 0 {
                transforms.append(dimension == 2 ? FlowPermutation.reversal(2) : FlowPermutation.random(dimension, generator: &generator))
            }
            if autoregressive {
                transforms.append(MaskedAutoregressiveTransform(dimension: dimension, hidden: hidden, transform: spline,
                                                                contextSize: contextSize, generator: &generator))
            } else {
                // The permutations alternate the halves (a 2-D reversal swaps them), so the
                // coupling always transforms the second part.
                transforms.append(Coupling(dimension: dimension, hidden: hidden, transform: spline,
                                           contextSize: contextSize, generator: &generator))
            }
            if actNorm { transforms.append(ActNorm(featureCount: dimension)) }
        }
        return Flow(eventShape: [dimension], transforms: transforms, contextSize: contextSize)
    }
}
