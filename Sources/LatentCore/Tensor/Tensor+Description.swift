import Foundation

/// NumPy-style printing: nested brackets, aligned columns, summaries of large tensors.
extension Tensor: CustomStringConvertible, CustomDebugStringConvertible {
    /// The elements as NumPy prints an array (with `, ` between elements):
    ///
    /// ```
    /// [[ 1.5 , -2.25],
    ///  [ 3.0 ,  4.0 ]]
    /// ```
    ///
    /// A scalar prints as a plain number. Floats use the fewest digits (at most 8 after the
    /// point) that identify each value, aligned on the decimal point, or scientific notation
    /// when magnitudes span more than 10³ or reach 10⁸ or fall below 10⁻⁴, as NumPy does;
    /// unlike NumPy, whole numbers keep one digit after the point (`1.0`, not `1.`).
    /// Tensors with more than 1000 elements show the first and last three entries of each
    /// long axis around `...`. See ``formatted(threshold:edgeItems:lineWidth:)``.
    public var description: String { formatted() }

    /// The elements (as in ``description``), the shape, and the recording op if any:
    /// `Tensor([1.0, 2.0], shape: [2])`.
    public var debugDescription: String {
        let prefix = "Tensor("
        let body = TensorFormatter(self, threshold: 1000, edgeItems: 3, lineWidth: 75)
            .render(indent: String(repeating: " ", count: prefix.count + 1))
        let recorded = gradNode.map { ", gradNode: \($0.op)" } ?? ""
        return prefix + body + ", shape: \(shapeString(shape))\(recorded))"
    }

    /// The elements printed as NumPy's `array2string(x, separator=", ")` does.
    ///
    /// - Parameters:
    ///   - threshold: Summarise (`...`) tensors with more elements than this.
    ///   - edgeItems: Entries kept at each end of a summarised axis.
    ///   - lineWidth: Wrap rows of the innermost axis beyond this many characters.
    public func formatted(threshold: Int = 1000, edgeItems: Int = 3, lineWidth: Int = 75) -> String {
        TensorFormatter(self, threshold: threshold, edgeItems: edgeItems, lineWidth: lineWidth).render(indent: " ")
    }
}

/// Lays out a tensor's elements following NumPy's `_formatArray`.
struct TensorFormatter {
    let shape: [Int]
    let strides: [Int]
    let values: UnsafeBufferPointer<Float>
    let storage: TensorStorage  // keeps `values` alive
    /// Per axis, the indices shown, with `nil` for the `...` marker.
    let shown: [[Int?]]
    let lineWidth: Int
    let format: FloatFormat

    init(_ tensor: Tensor, threshold: Int, edgeItems: Int, lineWidth: Int) {
        shape = tensor.shape
        strides = Shape.strides(tensor.shape)
        storage = tensor.storage
        values = tensor.storage.buffer
        self.lineWidth = lineWidth
        let summarise = tensor.scalarCount > threshold
        shown = tensor.shape.map { n -> [Int?] in
            guard summarise, n > 2 * edgeItems else { return Array(0..<n) }
            return Array(0..<edgeItems) + [nil] + Array((n - edgeItems)..<n)
        }
        // The format is fitted to the elements that will be printed.
        var printed: [Float] = []
        let (values, shown, strides) = (self.values, self.shown, self.strides)
        func collect(_ axis: Int, _ offset: Int) {
            if axis == shown.count { printed.append(values[offset]); return }
            for case let i? in shown[axis] { collect(axis + 1, offset + i * strides[axis]) }
        }
        if tensor.scalarCount > 0 { collect(0, 0) }
        format = FloatFormat(fitting: printed)
    }

    /// The whole tensor; continuation lines start with `indent`.
    func render(indent: String) -> String {
        if shape.isEmpty { return format.string(values[0]) }
        if values.isEmpty { return "[]" }
        return render(axis: 0, offset: 0, hangingIndent: indent, width: lineWidth)
    }

    private func render(axis: Int, offset: Int, hangingIndent: String, width: Int) -> String {
        if axis == shape.count { return format.string(values[offset]) }
        let axesLeft = shape.count - axis
        let items = shown[axis]
        let nextIndent = hangingIndent + " "
        var s = ""
        if axesLeft == 1 {
            let elementWidth = width - 1  // room for the "," or "]" after each element
            var line = hangingIndent
            for (k, item) in items.enumerated() {
                let word = item.map { render(axis: axis + 1, offset: offset + $0 * strides[axis],
                                             hangingIndent: nextIndent, width: width - 1) } ?? "..."
                // Wrap before a word that would overflow, unless the line holds nothing yet.
                if line.count + word.count > elementWidth && line.count > hangingIndent.count {
                    s += line.trimmingTrailingSpaces() + "\n"
                    line = hangingIndent
                }
                line += word
                if k < items.count - 1 { line += ", " }
            }
            s += line
        } else {
            let lineSeparator = "," + String(repeating: "\n", count: axesLeft - 1)
            for (k, item) in items.enumerated() {
                let nested = item.map { render(axis: axis + 1, offset: offset + $0 * strides[axis],
                                               hangingIndent: nextIndent, width: width - 1) } ?? "..."
                s += hangingIndent + nested
                if k < items.count - 1 { s += lineSeparator }
            }
        }
        return "[" + s.dropFirst(hangingIndent.count) + "]"
    }
}

/// How NumPy's default `floatmode="maxprec"` prints a set of floats: positional with up to
/// 8 fractional digits, aligned on the point, or scientific with a shared precision.
struct FloatFormat {
    let scientific: Bool
    /// Width of the integer part (with sign), and of the part after it.
    let padLeft: Int, padRight: Int
    /// Digits after the point in scientific notation.
    let precision: Int

    static let maximumPrecision = 8

    init(fitting values: [Float]) {
        let finite = values.filter(\.isFinite)
        let magnitudes = finite.map { Swift.abs($0) }.filter { $0 != 0 }
        if let largest = magnitudes.max(), let smallest = magnitudes.min() {
            scientific = largest >= 1e8 || smallest < 1e-4 || largest / smallest > 1e3
        } else {
            scientific = false
        }
        var left = 0, right = 0, digits = 1
        if scientific {
            for v in finite { digits = Swift.max(digits, Self.shortestDigits(v, style: "e")) }
            for v in finite {
                let parts = Self.cFormat(v, digits: digits, style: "e").split(separator: ".", maxSplits: 1)
                left = Swift.max(left, parts[0].count)
                right = Swift.max(right, parts[1].count)
            }
        } else {
            for v in finite {
                let parts = Self.positional(v).split(separator: ".", maxSplits: 1)
                left = Swift.max(left, parts[0].count)
                right = Swift.max(right, parts[1].count)
            }
        }
        // Non-finite values are right-aligned to the same total width.
        let specialWidth = values.filter { !$0.isFinite }.map { Self.special($0).count }.max() ?? 0
        if finite.isEmpty {
            left = specialWidth; right = -1
        } else if left + right + 1 < specialWidth {
            left = specialWidth - right - 1
        }
        padLeft = left
        padRight = right
        precision = digits
    }

    /// One element, padded to the common width.
    func string(_ v: Float) -> String {
        let width = padLeft + 1 + padRight
        guard v.isFinite else { return Self.special(v).leftPadded(to: width) }
        let text = scientific ? Self.cFormat(v, digits: precision, style: "e") : Self.positional(v)
        let parts = text.split(separator: ".", maxSplits: 1)
        return String(parts[0]).leftPadded(to: padLeft) + "." + String(parts[1]).rightPadded(to: padRight)
    }

    static func special(_ v: Float) -> String {
        v.isNaN ? "nan" : (v < 0 ? "-inf" : "inf")
    }

    /// `v` with the fewest fractional digits (1...8) that read back as `v`.
    static func positional(_ v: Float) -> String {
        cFormat(v, digits: shortestDigits(v, style: "f"), style: "f")
    }

    /// The fewest digits after the point (at least 1, at most 8) with which `v` survives
    /// a round trip through text in the given `printf` style.
    static func shortestDigits(_ v: Float, style: String) -> Int {
        for digits in 1..<maximumPrecision where Float(cFormat(v, digits: digits, style: style)) == v {
            return digits
        }
        return maximumPrecision
    }

    static func cFormat(_ v: Float, digits: Int, style: String) -> String {
        String(format: "%.\(digits)\(style)", Double(v))
    }
}

extension StringProtocol {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? String(self) : String(repeating: " ", count: width - count) + self
    }

    fileprivate func rightPadded(to width: Int) -> String {
        count >= width ? String(self) : self + String(repeating: " ", count: width - count)
    }

    fileprivate func trimmingTrailingSpaces() -> String {
        var s = String(self)
        while s.last == " " { s.removeLast() }
        return s
    }
}
