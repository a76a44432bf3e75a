/// Elementwise functions of two tensors evaluated one element at a time.
extension Tensor {
    /// `function(a[i], b[i])` for every element of `a` and `b` broadcast together: the
    /// forward value of special functions computed per element (in Double, by series or
    /// continued fractions) that have no vector kernel, such as the regularised incomplete
    /// gamma function.
    ///
    /// The result is not recorded: attach the derivative with
    /// ``Tensor/record(_:inputs:output:backward:)``. The elements are split across cores
    /// in chunks of a few hundred (each call is assumed to cost hundreds of cycles);
    /// results do not depend on the thread count.
    ///
    /// - Parameters:
    ///   - a: The first operand.
    ///   - b: The second operand, broadcastable with `a`.
    ///   - op: The caller's name, for shape errors.
    ///   - function: The scalar function; it may run on several threads at once.
    public static func elementwise(_ a: Tensor, _ b: Tensor, op: String,
                                   _ function: (Float, Float) -> Float) -> Tensor {
        let shape = checkShapes { () throws(ShapeError) in try Shape.broadcast(a.shape, b.shape, op: op) }
        let ab = a.detached().broadcast(to: shape), bb = b.detached().broadcast(to: shape)
        return Tensor(shape: shape) { out, n in
            let pa = ab.storage.pointer, pb = bb.storage.pointer
            Parallel.forEachChunk(count: n, minimumChunk: 256) { r in
                for i in r { out[i] = function(pa[i], pb[i]) }
            }
        }
    }
}
