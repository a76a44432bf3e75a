/// Elementwise selection by a mask: `where(mask, a, b)`.
extension Tensor {
    /// The broadcast shape of a `where` call, or a ``ShapeError`` naming all three shapes.
    public static func whereShape(_ mask: [Int], _ a: [Int], _ b: [Int]) throws(ShapeError) -> [Int] {
        do {
            return try Shape.broadcast(try Shape.broadcast(mask, a, op: "where"), b, op: "where")
        } catch {
            throw ShapeError(op: "where", "shapes \(shapeString(mask)) (mask), \(shapeString(a)) and \(shapeString(b)) are not broadcastable")
        }
    }

    /// Picks `a` where `mask` is non-zero and `b` elsewhere, broadcasting all three
    /// (`torch.where`). Same as the free function `` `where`(mask, a, b) ``, which needs
    /// backticks at the call site because `where` is a Swift keyword.
    ///
    /// Gradient: to `a` where mask ≠ 0, to `b` elsewhere (each summed back to its shape);
    /// the mask is a constant and gets none.
    /// - Parameters:
    ///   - mask: Usually a 0/1 mask from a comparison (`x .> 0`); any non-zero selects `a`.
    ///   - a: Values taken where the mask is non-zero.
    ///   - b: Values taken where the mask is zero.
    public static func `where`(_ mask: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = checkShapes { () throws(ShapeError) in try whereShape(mask.shape, a.shape, b.shape) }
        let m = mask.detached().broadcast(to: shape)
        let x = a.detached().broadcast(to: shape)
        let y = b.detached().broadcast(to: shape)
        let out = Tensor(shape: shape) { out, n in
            let pm = m.storage.pointer, px = x.storage.pointer, py = y.storage.pointer
            Parallel.forEachChunk(count: n, minimumChunk: Elementwise.parallelGrain) { r in
                typealias V = SIMD16<Float>
                let rm = UnsafeRawPointer(pm), rx = UnsafeRawPointer(px), ry = UnsafeRawPointer(py)
                let ro = UnsafeMutableRawPointer(out)
                var i = r.lowerBound
                while i + 16 <= r.upperBound {
                    let vm = rm.loadUnaligned(fromByteOffset: i * 4, as: V.self)
                    let vx = rx.loadUnaligned(fromByteOffset: i * 4, as: V.self)
                    let vy = ry.loadUnaligned(fromByteOffset: i * 4, as: V.self)
                    ro.storeBytes(of: vy.replacing(with: vx, where: vm .!= 0), toByteOffset: i * 4, as: V.self)
                    i += 16
                }
                while i < r.upperBound { out[i] = pm[i] != 0 ? px[i] : py[i]; i += 1 }
            }
        }
        let constantMask = mask.detached()
        return record("where", inputs: [a, b], output: out) { ctx in
            let g = ctx.gradient
            return [ctx.needsGradient(0) ? Tensor.where(constantMask, g, Tensor(0)).sum(toShape: ctx.inputs[0].shape) : nil,
                    ctx.needsGradient(1) ? Tensor.where(constantMask, Tensor(0), g).sum(toShape: ctx.inputs[1].shape) : nil]
        }
    }
}

/// Picks `a` where `mask` is non-zero and `b` elsewhere, broadcasting all three
/// (`torch.where`); see ``Tensor/where(_:_:_:)``. Call it as `` `where`(mask, a, b) ``
/// (or `Tensor.where(mask, a, b)`): `where` is a Swift keyword.
public func `where`(_ mask: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
    Tensor.where(mask, a, b)
}
