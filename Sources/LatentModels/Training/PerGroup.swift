import Foundation

/// A training setting given for every parameter group, for some groups by name, or both:
/// `2e-4` or `generator=2e-4,discriminator=1e-4` (or `1e-3,generator=2e-4`: 1e-3 for the
/// groups not named) on the command line; `0.0002` or `{"generator": 0.0002,
/// "discriminator": 0.0001}` (with `"*"` for the others) in a configuration file.
public struct PerGroup<Value: Codable & Sendable & Equatable>: Sendable, Equatable {
    /// The value for groups without one of their own; nil when not given.
    public var all: Value?
    /// Values by group name.
    public var groups: [String: Value]

    public init(_ all: Value? = nil, groups: [String: Value] = [:]) {
        self.all = all
        self.groups = groups
    }

    /// Whether nothing was given.
    public var isEmpty: Bool { all == nil && groups.isEmpty }

    /// The value for `group`, or nil when neither it nor `all` was given.
    public subscript(group group: String) -> Value? { groups[group] ?? all }

    /// Overrides this with what `other` gives.
    public mutating func merge(_ other: PerGroup) {
        if let a = other.all { all = a; groups = [:] }
        groups.merge(other.groups) { _, new in new }
    }

    /// Parses command-line text: a bare value for every group and `group=value` pairs,
    /// separated by commas. `flag` names the flag in errors.
    public static func parse(_ text: String, flag: String, value parse: (String) -> Value?) throws(TrainingError) -> PerGroup {
        var result = PerGroup()
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        for part in parts {
            if let eq = part.firstIndex(of: "=") {
                let name = String(part[..<eq]), raw = String(part[part.index(after: eq)...])
                guard !name.isEmpty else { throw TrainingError("--\(flag): '\(part)' names no parameter group (use GROUP=VALUE)") }
                guard let v = parse(raw) else { throw TrainingError("--\(flag): bad value '\(raw)' for group '\(name)'") }
                guard result.groups[name] == nil else { throw TrainingError("--\(flag): group '\(name)' is given twice") }
                result.groups[name] = v
            } else {
                guard let v = parse(part) else { throw TrainingError("--\(flag): bad value '\(part)'") }
                guard result.all == nil else { throw TrainingError("--\(flag): more than one value without a group name in '\(text)'") }
                result.all = v
            }
        }
        return result
    }

    /// Checks that every named group exists.
    func checkGroups(_ valid: [String], key: String) throws(TrainingError) {
        for name in groups.keys.sorted() where !valid.contains(name) {
            throw TrainingError("--\(key): the model has no parameter group '\(name)'; its groups: \(valid.joined(separator: ", "))")
        }
    }
}

extension PerGroup: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Value.self) {
            self.init(v)
            return
        }
        var groups = try c.decode([String: Value].self)
        let all = groups.removeValue(forKey: "*")
        self.init(all, groups: groups)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        if groups.isEmpty, let all {
            try c.encode(all)
        } else {
            var object = groups
            if let all { object["*"] = all }
            try c.encode(object)
        }
    }
}

extension PerGroup: ExpressibleByFloatLiteral where Value == Double {
    public init(floatLiteral value: Double) { self.init(value) }
}

extension PerGroup: ExpressibleByIntegerLiteral where Value == Int {
    public init(integerLiteral value: Int) { self.init(value) }
}

extension PerGroup: ExpressibleByUnicodeScalarLiteral where Value == String {
    public init(unicodeScalarLiteral value: String) { self.init(value) }
}

extension PerGroup: ExpressibleByExtendedGraphemeClusterLiteral where Value == String {
    public init(extendedGraphemeClusterLiteral value: String) { self.init(value) }
}

extension PerGroup: ExpressibleByStringLiteral where Value == String {
    public init(stringLiteral value: String) { self.init(value) }
}
