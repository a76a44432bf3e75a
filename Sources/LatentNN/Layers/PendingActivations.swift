import LatentCore

// Temporary: composed activations until LatentCore's elementwise math ops (wt-math) land.
extension Tensor {
    func sigmoidComposed() -> Tensor { 1 / (1 + (-self).exp()) }
    func tanhComposed() -> Tensor { 2 * (2 * self).sigmoidComposed() - 1 }
}
