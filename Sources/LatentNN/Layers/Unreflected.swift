/// Holds a value where ``Module``'s reflection does not look (it walks parameters,
/// buffers and modules, not arbitrary structs). Wrappers use it to keep a wrapped layer
/// whose parameters they re-expose under their own names.
struct Unreflected<Value> {
    let value: Value
}

/// Checks that a wrapped layer's state is only its weight and (optional) bias, so a
/// wrapper that re-exposes those two loses nothing.
func preconditionOnlyWeightAndBias(_ layer: some WeightedLayer, wrapper: String) {
    let weight = ObjectIdentifier(layer.weightParameter)
    let bias = layer.biasParameter.map(ObjectIdentifier.init)
    for (name, item) in layer.children() {
        switch item {
        case .parameter(let p) where ObjectIdentifier(p) == weight || ObjectIdentifier(p) == bias: continue
        default: fatalError("\(wrapper): can only wrap layers whose state is a weight and a bias; \(type(of: layer)) also has '\(name)'")
        }
    }
}
