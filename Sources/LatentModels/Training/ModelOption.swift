import Foundation
import LatentCore

/// A type a model option can hold: parsed from the text given on the command line or in a
/// configuration file, and written back as text.
public protocol OptionValue: Sendable, Equatable {
    /// Parses option text; nil when the text is not a value of this type.
    init?(optionText: String)
    /// The text that parses back to this value.
    var optionText: String { get }
    /// What a valid text looks like, for messages and help (`"an integer"`).
    static var valueDescription: String { get }
    /// A placeholder for help (`INT`).
    static var placeholder: String { get }
}

extension Int: OptionValue {
    public init?(optionText: String) { self.init(optionText.trimmingCharacters(in: .whitespaces)) }
    public var optionText: String { String(self) }
    public static var valueDescription: String { "an integer" }
    public static var placeholder: String { "INT" }
}

extension Float: OptionValue {
    /// Finite numbers only: `nan` and `inf` are rejected where they enter.
    public init?(optionText: String) {
        guard let v = Float(optionText.trimmingCharacters(in: .whitespaces)), v.isFinite else { return nil }
        self = v
    }
    public var optionText: String { "\(self)" }
    public static var valueDescription: String { "a finite number" }
    public static var placeholder: String { "NUMBER" }
}

extension Bool: OptionValue {
    public init?(optionText: String) {
        switch optionText {
        case "true": self = true
        case "false": self = false
        default: return nil
        }
    }
    public var optionText: String { self ? "true" : "false" }
    public static var valueDescription: String { "true or false" }
    public static var placeholder: String { "true|false" }
}

extension Array: OptionValue where Element == Int {
    /// Comma-separated integers; the empty text is the empty list.
    public init?(optionText: String) {
        let text = optionText.trimmingCharacters(in: .whitespaces)
        if text.isEmpty { self = []; return }
        var values: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let v = Int(part.trimmingCharacters(in: .whitespaces)) else { return nil }
            values.append(v)
        }
        self = values
    }
    public var optionText: String { map(String.init).joined(separator: ",") }
    public static var valueDescription: String { "comma-separated integers" }
    public static var placeholder: String { "INT,INT,..." }
}

/// An option whose value is one of a fixed set of names: declare a `String` enum
/// conforming to this protocol and read the option back as the enum.
public protocol OptionChoice: OptionValue, CaseIterable, RawRepresentable where RawValue == String {}

extension OptionChoice {
    public init?(optionText: String) { self.init(rawValue: optionText) }
    public var optionText: String { rawValue }
    public static var valueDescription: String { "one of " + allCases.map(\.rawValue).joined(separator: ", ") }
    public static var placeholder: String { allCases.map(\.rawValue).joined(separator: "|") }
}

/// The valid values of an option beyond its type: a test and the words that say it
/// (`"at least 1"`), used in error messages and help.
public struct OptionBounds<Value: OptionValue>: Sendable {
    /// Says which values are valid, completing "must be …".
    public let description: String
    /// Whether a value is valid.
    public let contains: @Sendable (Value) -> Bool
    /// A few values of the right type that the bounds reject (for tests that walk every option).
    public let counterexamples: [Value]

    public init(_ description: String, counterexamples: [Value] = [], contains: @escaping @Sendable (Value) -> Bool) {
        self.description = description
        self.contains = contains
        self.counterexamples = counterexamples
    }
}

extension OptionBounds where Value == Int {
    /// `value ≥ 1`.
    public static var positive: OptionBounds { OptionBounds("at least 1", counterexamples: [0, -1]) { $0 >= 1 } }
    /// `value ≥ 0`.
    public static var nonNegative: OptionBounds { OptionBounds("at least 0", counterexamples: [-1]) { $0 >= 0 } }
    /// `value ≥ lower`.
    public static func atLeast(_ lower: Int) -> OptionBounds {
        OptionBounds("at least \(lower)", counterexamples: [lower - 1]) { $0 >= lower }
    }
    /// `lower ≤ value ≤ upper`.
    public static func within(_ range: ClosedRange<Int>) -> OptionBounds {
        OptionBounds("in [\(range.lowerBound), \(range.upperBound)]", counterexamples: [range.lowerBound - 1, range.upperBound + 1]) {
            range.contains($0)
        }
    }
    /// Odd values in `range` (kernel sizes).
    public static func oddWithin(_ range: ClosedRange<Int>) -> OptionBounds {
        OptionBounds("odd and in [\(range.lowerBound), \(range.upperBound)]",
                     counterexamples: [range.lowerBound - 1, range.upperBound + 2, 2]) { range.contains($0) && $0 % 2 == 1 }
    }
}

extension OptionBounds where Value == Float {
    /// `value > 0`.
    public static var positive: OptionBounds { OptionBounds("greater than 0", counterexamples: [0, -1]) { $0 > 0 } }
    /// `value ≥ 0`.
    public static var nonNegative: OptionBounds { OptionBounds("at least 0", counterexamples: [-0.5]) { $0 >= 0 } }
    /// `lower ≤ value ≤ upper`.
    public static func within(_ range: ClosedRange<Float>) -> OptionBounds {
        OptionBounds("in [\(range.lowerBound), \(range.upperBound)]", counterexamples: [range.upperBound + 1]) { range.contains($0) }
    }
    /// `lower ≤ value < upper`.
    public static func halfOpen(_ lower: Float, _ upper: Float) -> OptionBounds {
        OptionBounds("in [\(lower), \(upper))", counterexamples: [upper, lower - 1]) { $0 >= lower && $0 < upper }
    }
    /// `lower < value ≤ upper`.
    public static func openClosed(_ lower: Float, _ upper: Float) -> OptionBounds {
        OptionBounds("in (\(lower), \(upper)]", counterexamples: [lower, upper + 1]) { $0 > lower && $0 <= upper }
    }
    /// `lower < value < upper`.
    public static func open(_ lower: Float, _ upper: Float) -> OptionBounds {
        OptionBounds("in (\(lower), \(upper))", counterexamples: [lower, upper]) { $0 > lower && $0 < upper }
    }
}

extension OptionBounds where Value == [Int] {
    /// Every entry at least 1 (an empty list allowed unless `nonEmpty`).
    public static func positiveEntries(nonEmpty: Bool = false) -> OptionBounds {
        OptionBounds(nonEmpty ? "one or more positive integers" : "positive integers",
                     counterexamples: nonEmpty ? [[], [0], [4, -1]] : [[0], [4, -1]]) { list in
            (!nonEmpty || !list.isEmpty) && list.allSatisfy { $0 >= 1 }
        }
    }
    /// Exactly `count` entries, each at least 1.
    public static func positiveEntries(count: Int) -> OptionBounds {
        OptionBounds("\(count) positive integers", counterexamples: [Array(repeating: 1, count: count + 1), Array(repeating: 0, count: count)]) {
            $0.count == count && $0.allSatisfy { $0 >= 1 }
        }
    }
}

/// One option of a model family, declared once: its name, type, default, valid values and
/// help. The same value is the key that reads the option back, typed:
///
/// ```swift
/// static let layers = ModelOption<Int>("layers", default: 5, bounds: .positive, help: "flow layers")
/// // in init(options:data:generator:)
/// let layers = options[Self.layers]        // Int, already checked to be ≥ 1
/// ```
public struct ModelOption<Value: OptionValue>: Sendable {
    public let name: String
    public let defaultValue: Value
    public let bounds: OptionBounds<Value>?
    public let help: String

    public init(_ name: String, default defaultValue: Value, bounds: OptionBounds<Value>? = nil, help: String) {
        self.name = name
        self.defaultValue = defaultValue
        self.bounds = bounds
        self.help = help
    }
}

/// A declared option of any value type, as a family lists it in ``GenerativeModel/options``.
public protocol DeclaredOption: Sendable {
    var name: String { get }
    var help: String { get }
    /// The default as text.
    var defaultText: String { get }
    /// The valid values in words: the type, then the bounds (`"an integer, at least 1"`).
    var validValues: String { get }
    /// A placeholder for help (`INT`, `a|b|c`).
    var placeholder: String { get }
    /// Texts this option rejects: one that is not of its type and any declared counterexamples.
    var invalidTexts: [String] { get }
    /// Parses and checks a text; the error names the model, the option, the value and the valid values.
    func parse(_ text: String, model: String) throws(ModelOptionError) -> any Sendable
}

extension ModelOption: DeclaredOption {
    public var defaultText: String { defaultValue.optionText }
    public var validValues: String { Value.valueDescription + (bounds.map { ", " + $0.description } ?? "") }
    public var placeholder: String { Value.placeholder }
    public var invalidTexts: [String] {
        var texts = [Value.self == Bool.self ? "yes" : "not-a-value"]
        if Value.self == Float.self { texts.append("nan") }
        texts += (bounds?.counterexamples ?? []).map(\.optionText)
        return texts
    }

    public func parse(_ text: String, model: String) throws(ModelOptionError) -> any Sendable {
        guard let value = Value(optionText: text) else {
            throw ModelOptionError("\(model): option '\(name)' needs \(Value.valueDescription), got '\(text)'")
        }
        if let bounds, !bounds.contains(value) {
            throw ModelOptionError("\(model): option '\(name)' must be \(bounds.description), got '\(text)'")
        }
        return value
    }
}

/// Checked option values of a model (defaults filled in), read back typed by the
/// declarations themselves: `options[Self.layers]`.
public struct ModelOptions: Sendable, Equatable {
    /// Every declared option's value as text (what `config.json` records).
    public private(set) var values: [String: String]
    private let typed: [String: any Sendable]
    /// The model the options were checked for (for messages).
    public let model: String

    /// Checks `given` against `declared` and fills the defaults. Unknown names and invalid
    /// values throw a one-line error naming the option, the value and what is valid.
    public init(_ given: [String: String], declared: [any DeclaredOption], model: String) throws(ModelOptionError) {
        let names = Set(declared.map(\.name))
        for key in given.keys.sorted() where !names.contains(key) {
            throw ModelOptionError("\(model): unknown option '\(key)'; valid options: \(declared.map(\.name).sorted().joined(separator: ", "))")
        }
        var values: [String: String] = [:]
        var typed: [String: any Sendable] = [:]
        for option in declared {
            let text = given[option.name] ?? option.defaultText
            typed[option.name] = try option.parse(text, model: model)
            values[option.name] = text
        }
        self.values = values
        self.typed = typed
        self.model = model
    }

    /// The value of a declared option. Reading an option the model did not declare is a
    /// programming error in the model (it traps with the option's name).
    public subscript<Value>(_ option: ModelOption<Value>) -> Value {
        guard let value = typed[option.name] as? Value else {
            fatalError("\(model): option '\(option.name)' is read but was not declared in the model's options")
        }
        return value
    }

    /// The value of an option, or its default when the model did not declare it: for readers
    /// shared by families that each take a subset of a common set of options.
    public func value<Value>(_ option: ModelOption<Value>) -> Value {
        has(option.name) ? self[option] : option.defaultValue
    }

    /// Whether the option was declared (families that share code across option sets).
    public func has(_ name: String) -> Bool { values[name] != nil }

    public static func == (a: ModelOptions, b: ModelOptions) -> Bool { a.values == b.values && a.model == b.model }
}

/// A bad model option (unknown name or invalid value).
public struct ModelOptionError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
