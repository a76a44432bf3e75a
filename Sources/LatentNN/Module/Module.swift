import LatentCore

/// Base class of every neural-network component.
///
/// Subclasses declare ``Parameter``s and ``Buffer``s as wrapped properties and hold child
/// modules as ordinary stored properties (single modules, optionals, arrays or
/// dictionaries of modules). Reflection finds them all, so a module's parameter tree,
/// train/eval mode, freezing and checkpoints need no registration code.
///
/// Paths follow the property names with the wrapper's underscore removed, array elements
/// by index and dictionary entries by key: `encoder.layers.0.weight`. A subclass can
/// rename a property in paths with ``stateKeys`` (e.g. to PyTorch's `running_mean`), or
/// inline a child module or collection of modules into its own namespace (as PyTorch's
/// `nn.Sequential` does: `0.weight` rather than `layers.0.weight`).
open class Module: CustomStringConvertible {
    /// Whether the module is in training mode (dropout active, batch statistics used).
    public private(set) var isTraining = true

    public init() {}

    // MARK: Reflection

    /// Path names of this class's properties where they differ from the Swift property
    /// name, keyed by property name (without the wrapper's underscore).
    ///
    /// Use it to give buffers and parameters PyTorch's state-dict names while keeping
    /// Swift names in code, so that PyTorch state dicts load as they are:
    ///
    /// ```swift
    /// override class var stateKeys: [String: String] {
    ///     ["runningMean": "running_mean", "runningVariance": "running_var"]
    /// }
    /// ```
    ///
    /// The empty string inlines a child module (or the elements of an array or dictionary
    /// of modules) into this module's namespace: `["layers": ""]` names the elements of
    /// `layers` `0`, `1`, … and their parameters `0.weight`, …. Inlined names must not
    /// collide with this module's other names. The default is no renaming.
    open class var stateKeys: [String: String] { [:] }

    /// The direct children: parameters, buffers and submodules, by name, in declaration order.
    public func children() -> [(name: String, item: ModuleItem)] {
        var out: [(String, ModuleItem)] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        var levels: [[(String, ModuleItem)]] = []
        let keys = type(of: self).stateKeys
        while let m = mirror {
            var level: [(String, ModuleItem)] = []
            for child in m.children {
                guard var label = child.label else { continue }
                if label.hasPrefix("_") { label.removeFirst() }
                Self.collect(child.value, name: keys[label] ?? label, into: &level)
            }
            levels.append(level)
            mirror = m.superclassMirror
        }
        // Superclass properties first, as they were declared first.
        for level in levels.reversed() { out += level }
        return out
    }

    private static func collect(_ value: Any, name: String, into out: inout [(String, ModuleItem)]) {
        switch value {
        case let p as Parameter: out.append((name, .parameter(p)))
        case let b as Buffer: out.append((name, .buffer(b)))
        case let m as Module: out.append((name, .module(m)))
        case let ms as [Module]:
            for (i, m) in ms.enumerated() { out.append((joinPath(name, "\(i)"), .module(m))) }
        case let ms as [String: Module]:
            for key in ms.keys.sorted() { out.append((joinPath(name, key), .module(ms[key]!))) }
        default:
            // Optionals of modules and arrays of module subclasses.
            let mirror = Mirror(reflecting: value)
            if mirror.displayStyle == .optional {
                if let wrapped = mirror.children.first?.value { collect(wrapped, name: name, into: &out) }
            } else if mirror.displayStyle == .collection {
                for (i, element) in mirror.children.enumerated() where element.value is Module {
                    out.append((joinPath(name, "\(i)"), .module(element.value as! Module)))
                }
            } else if mirror.displayStyle == .dictionary {
                var pairs: [(String, Module)] = []
                for element in mirror.children {
                    let kv = Array(Mirror(reflecting: element.value).children)
                    if kv.count == 2, let m = kv[1].value as? Module { pairs.append(("\(kv[0].value)", m)) }
                }
                for (k, m) in pairs.sorted(by: { $0.0 < $1.0 }) { out.append((joinPath(name, k), .module(m))) }
            }
        }
    }

    /// `a.b`, or just one of them when the other is empty (an inlined child).
    private static func joinPath(_ a: String, _ b: String) -> String {
        a.isEmpty ? b : b.isEmpty ? a : a + "." + b
    }

    /// Every parameter in this module and its descendants, keyed by dotted path.
    public func namedParameters() -> [(path: String, parameter: Parameter)] {
        var out: [(String, Parameter)] = []
        visit(prefix: "") { path, item in if case .parameter(let p) = item { out.append((path, p)) } }
        return out
    }

    /// Every buffer in this module and its descendants, keyed by dotted path.
    public func namedBuffers() -> [(path: String, buffer: Buffer)] {
        var out: [(String, Buffer)] = []
        visit(prefix: "") { path, item in if case .buffer(let b) = item { out.append((path, b)) } }
        return out
    }

    /// Every module in the tree (this one first), with its path (`""` for this one).
    public func namedModules() -> [(path: String, module: Module)] {
        var out: [(String, Module)] = [("", self)]
        visit(prefix: "") { path, item in if case .module(let m) = item { out.append((path, m)) } }
        return out
    }

    private func visit(prefix: String, _ body: (String, ModuleItem) -> Void) {
        for (name, item) in children() {
            let path = Self.joinPath(prefix, name)
            body(path, item)
            if case .module(let m) = item { m.visit(prefix: path, body) }
        }
    }

    /// The parameter values keyed by path (the parameter tree shared by gradients,
    /// optimisers and checkpoints).
    public func parameters() -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: namedParameters().map { ($0.path, $0.parameter.wrappedValue) })
    }

    /// The parameters that are not frozen, keyed by path.
    public func trainableParameters() -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: namedParameters().filter { !$0.parameter.isFrozen }
            .map { ($0.path, $0.parameter.wrappedValue) })
    }

    /// Parameters and buffers keyed by path: everything a checkpoint stores.
    public func state() -> [String: Tensor] {
        var out = parameters()
        for (path, b) in namedBuffers() { out[path] = b.wrappedValue }
        return out
    }

    /// Total number of parameter elements (trainable and frozen).
    public var parameterCount: Int { namedParameters().reduce(0) { $0 + $1.parameter.wrappedValue.scalarCount } }

    /// Number of trainable parameter elements.
    public var trainableParameterCount: Int {
        namedParameters().filter { !$0.parameter.isFrozen }.reduce(0) { $0 + $1.parameter.wrappedValue.scalarCount }
    }

    // MARK: Updates

    /// Replaces parameter values by path. Unknown paths and shape changes are errors.
    public func update(parameters values: [String: Tensor]) throws(ModuleError) {
        let known = Dictionary(uniqueKeysWithValues: namedParameters().map { ($0.path, $0.parameter) })
        for (path, value) in values {
            guard let p = known[path] else { throw ModuleError.unknownPath(path) }
            guard p.wrappedValue.shape == value.shape else {
                throw ModuleError.shapeMismatch(path: path, expected: p.wrappedValue.shape, got: value.shape)
            }
        }
        for (path, value) in values { known[path]!.wrappedValue = value.detached() }
    }

    /// Loads parameters and buffers by path (as saved by ``state()``); shapes must match,
    /// except for buffers created with `resizesOnLoad`, which take the loaded shape.
    /// With `strict`, every parameter and buffer must be present and nothing extra.
    public func load(state values: [String: Tensor], strict: Bool = true) throws(ModuleError) {
        var slots: [String: (shape: [Int]?, set: (Tensor) -> Void)] = [:]
        for (path, p) in namedParameters() { slots[path] = (p.wrappedValue.shape, { p.wrappedValue = $0 }) }
        for (path, b) in namedBuffers() { slots[path] = (b.resizesOnLoad ? nil : b.wrappedValue.shape, { b.wrappedValue = $0 }) }
        if strict {
            let missing = Set(slots.keys).subtracting(values.keys).sorted()
            if !missing.isEmpty { throw ModuleError.missing(missing) }
            let extra = Set(values.keys).subtracting(slots.keys).sorted()
            if !extra.isEmpty { throw ModuleError.unexpected(extra) }
        }
        for (path, value) in values {
            guard let slot = slots[path] else { continue }
            if let shape = slot.shape, shape != value.shape {
                throw ModuleError.shapeMismatch(path: path, expected: shape, got: value.shape)
            }
        }
        for (path, value) in values { slots[path]?.set(value.detached()) }
    }

    // MARK: Modes

    /// Switches this module and all descendants to training (`true`) or evaluation mode.
    public func train(_ on: Bool = true) {
        for (_, m) in namedModules() { m.isTraining = on }
    }

    /// Switches to evaluation mode (same as `train(false)`).
    public func eval() { train(false) }

    /// Freezes every parameter (or those whose path starts with one of `prefixes`).
    public func freeze(_ prefixes: [String] = []) { setFrozen(true, prefixes) }

    /// Unfreezes every parameter (or those whose path starts with one of `prefixes`).
    public func unfreeze(_ prefixes: [String] = []) { setFrozen(false, prefixes) }

    private func setFrozen(_ frozen: Bool, _ prefixes: [String]) {
        for (path, p) in namedParameters() where prefixes.isEmpty || prefixes.contains(where: { path.hasPrefix($0) }) {
            p.isFrozen = frozen
        }
    }

    // MARK: Description

    /// A one-line summary of this module's own configuration, e.g. `Linear(784 → 512)`.
    /// Subclasses override it; the default is the type name.
    open var summary: String { String(describing: type(of: self)) }

    /// The module tree, one module per line, with parameter counts.
    public var description: String {
        var lines: [String] = []
        func walk(_ m: Module, name: String, depth: Int) {
            let indent = String(repeating: "  ", count: depth)
            let own = m.children().compactMap { c -> Int? in
                if case .parameter(let p) = c.item { return p.wrappedValue.scalarCount } else { return nil }
            }.reduce(0, +)
            let label = depth == 0 || name.isEmpty ? m.summary : "(\(name)): \(m.summary)"
            lines.append(indent + label + (own > 0 ? "  [\(own) params]" : ""))
            for (childName, item) in m.children() {
                if case .module(let c) = item { walk(c, name: childName, depth: depth + 1) }
            }
        }
        walk(self, name: "", depth: 0)
        lines.append("Total parameters: \(parameterCount) (trainable: \(trainableParameterCount))")
        return lines.joined(separator: "\n")
    }
}

/// One reflected child of a module.
public enum ModuleItem {
    case parameter(Parameter)
    case buffer(Buffer)
    case module(Module)
}

/// Errors from updating or loading a module's state.
public enum ModuleError: Error, CustomStringConvertible, Equatable {
    case unknownPath(String)
    case missing([String])
    case unexpected([String])
    case shapeMismatch(path: String, expected: [Int], got: [Int])

    public var description: String {
        switch self {
        case .unknownPath(let p): return "no parameter at path '\(p)'"
        case .missing(let ps): return "missing entries: \(ps.joined(separator: ", "))"
        case .unexpected(let ps): return "unexpected entries: \(ps.joined(separator: ", "))"
        case .shapeMismatch(let p, let e, let g):
            return "'\(p)' has shape \(shapeString(e)) in the module but \(shapeString(g)) in the data"
        }
    }
}
