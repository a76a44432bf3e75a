import Foundation
import LatentCore
import LatentProbability

/// Reads `Fixtures/discrete.json` (written by Scripts/fixtures/probability_discrete.py).
enum DiscreteFixture {
    static func load() -> [String: Any] {
        let url = Bundle.module.url(forResource: "discrete", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }
    static func section(_ name: String) -> [String: Any] { load()[name] as! [String: Any] }
    static func list(_ name: String) -> [[String: Any]] { load()[name] as! [[String: Any]] }
}

extension Dictionary where Key == String, Value == Any {
    func floats(_ key: String) -> [Float] { (self[key] as! [Any]).map { Float(($0 as! NSNumber).doubleValue) } }
    func float(_ key: String) -> Float { Float((self[key] as! NSNumber).doubleValue) }
    func tensor(_ key: String, _ shape: [Int]? = nil) -> Tensor {
        let v = floats(key)
        return Tensor(shape: shape ?? [v.count], scalars: v)
    }
}

/// Sample mean and (biased) variance of a tensor's elements, in Double.
func moments(_ t: Tensor) -> (mean: Double, variance: Double) {
    let s = t.scalars.map(Double.init)
    let m = s.reduce(0, +) / Double(s.count)
    return (m, s.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(s.count))
}

/// Trapezoid-free midpoint sum: Σ f(xᵢ) Δ over a grid of midpoints.
func midpointGrid(_ lower: Float, _ upper: Float, count: Int) -> (points: Tensor, step: Float) {
    let step = (upper - lower) / Float(count)
    return (Tensor(shape: [count], scalars: (0..<count).map { lower + (Float($0) + 0.5) * step }), step)
}
