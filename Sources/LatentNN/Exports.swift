// LatentNN's API is written in LatentCore's types (Tensor, RandomGenerator, Reduction)
// and uses its losses (binaryCrossEntropy, crossEntropy); importing LatentNN makes them
// available too.
@_exported import LatentCore
