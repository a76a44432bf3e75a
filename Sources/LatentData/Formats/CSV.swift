import Foundation
import LatentCore

/// Numeric CSV files: rows of numbers separated by a delimiter, with an optional header
/// row of column names. Gzipped files (magic `1f 8b`) are decompressed first.
///
/// Empty lines are skipped, `\r\n` line ends are accepted, and fields may be wrapped in
/// double quotes. Every row must have the same number of fields, and every field (after
/// the header) must parse as a number; otherwise the error names the line and column.
///
/// ```swift
/// let table = try CSV.read(from: url)                  // header detected automatically
/// let x = table.tensor(columns: 0..<64)                // [rows, 64]
/// let y = try table.indexTensor(column: 64)            // [rows]
/// ```
public enum CSV {
    /// Whether the first row holds column names.
    public enum Header: Sendable {
        /// A header when any field of the first row is not a number.
        case automatic
        case present
        case absent
    }

    /// Reads a numeric CSV file.
    /// - Parameters:
    ///   - url: The file (plain or gzipped).
    ///   - header: Whether the first row is a header.
    ///   - delimiter: The field separator (an ASCII character).
    public static func read(from url: URL, header: Header = .automatic, delimiter: Character = ",") throws(DataError) -> CSVTable {
        try decode(FileBytes.readDecompressing(url), file: url.path, header: header, delimiter: delimiter)
    }

    /// Parses numeric CSV text.
    public static func decode(_ bytes: [UInt8], file: String, header: Header = .automatic,
                              delimiter: Character = ",") throws(DataError) -> CSVTable {
        guard let separator = delimiter.asciiValue, separator != 0x0A, separator != 0x0D, separator != 0x22 else {
            throw DataError(file: file, "the delimiter \(delimiter.debugDescription) is not a usable ASCII character")
        }
        var names: [String]? = nil
        var values: [Double] = []
        var columns = -1
        var rows = 0
        var lineNumber = 0
        var start = 0
        var fields: [ArraySlice<UInt8>] = []
        let n = bytes.count
        while start < n {
            var end = start
            while end < n, bytes[end] != 0x0A { end += 1 }
            lineNumber += 1
            var line = bytes[start..<end]
            start = end + 1
            if line.last == 0x0D { line = line.dropLast() }
            if lineNumber == 1, line.starts(with: [0xEF, 0xBB, 0xBF]) { line = line.dropFirst(3) }  // UTF-8 BOM
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            fields.removeAll(keepingCapacity: true)
            try split(line, separator: separator, into: &fields, file: file, line: lineNumber)
            if columns < 0 {
                columns = fields.count
                let numeric = fields.map(parseNumber)
                let isHeader: Bool
                switch header {
                case .present: isHeader = true
                case .absent: isHeader = false
                case .automatic: isHeader = numeric.contains { $0 == nil }
                }
                if isHeader {
                    names = fields.map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespaces) }
                    continue
                }
            }
            guard fields.count == columns else {
                throw DataError(file: file, "line \(lineNumber) has \(fields.count) fields, expected \(columns)")
            }
            for (column, field) in fields.enumerated() {
                guard let v = parseNumber(field) else {
                    let text = String(decoding: field.prefix(40), as: UTF8.self)
                    throw DataError(file: file, "line \(lineNumber), column \(column + 1): \(text.debugDescription) is not a number")
                }
                values.append(v)
            }
            rows += 1
        }
        if columns < 0 { throw DataError(file: file, "the file has no rows") }
        return CSVTable(columnNames: names, rowCount: rows, columnCount: columns, values: values)
    }

    static func split(_ line: ArraySlice<UInt8>, separator: UInt8, into fields: inout [ArraySlice<UInt8>],
                      file: String, line lineNumber: Int) throws(DataError) {
        var i = line.startIndex
        var fieldStart = i
        var quoted = false
        while i < line.endIndex {
            let c = line[i]
            if c == 0x22 { quoted.toggle() } else if c == separator && !quoted {
                fields.append(line[fieldStart..<i])
                fieldStart = i + 1
            }
            i += 1
        }
        if quoted { throw DataError(file: file, "line \(lineNumber): unterminated quoted field") }
        fields.append(line[fieldStart..<line.endIndex])
    }

    /// A number from a field: surrounding spaces and quotes are dropped; `nan`, `inf`
    /// and exponents are accepted (as Swift's `Double(_:)` parses them).
    static func parseNumber(_ field: ArraySlice<UInt8>) -> Double? {
        var f = field
        while let c = f.first, c == 0x20 || c == 0x09 { f = f.dropFirst() }
        while let c = f.last, c == 0x20 || c == 0x09 { f = f.dropLast() }
        if f.count >= 2, f.first == 0x22, f.last == 0x22 { f = f.dropFirst().dropLast() }
        guard !f.isEmpty, f.count < 64 else { return nil }
        // Fast path for plain non-negative integers (most numeric CSV fields).
        if f.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) && f.count <= 15 {
            var v = 0
            for c in f { v = v * 10 + Int(c - 0x30) }
            return Double(v)
        }
        return Double(String(decoding: f, as: UTF8.self))
    }

    /// Writes a numeric table as CSV text (numbers in Swift's shortest round-trip form).
    public static func encode(_ table: CSVTable, delimiter: Character = ",") -> [UInt8] {
        var text = ""
        let d = String(delimiter)
        if let names = table.columnNames { text += names.joined(separator: d) + "\n" }
        for r in 0..<table.rowCount {
            let row = table.values[(r * table.columnCount)..<((r + 1) * table.columnCount)]
            text += row.map { $0.rounded() == $0 && abs($0) < 1e15 ? String(Int($0)) : String($0) }.joined(separator: d) + "\n"
        }
        return Array(text.utf8)
    }
}

/// A numeric table read from a CSV file, row-major.
public struct CSVTable: Sendable, Equatable {
    /// The header's column names, when the file has a header.
    public var columnNames: [String]?
    public var rowCount: Int
    public var columnCount: Int
    /// All values, row-major (`rowCount × columnCount`).
    public var values: [Double]

    public init(columnNames: [String]? = nil, rowCount: Int, columnCount: Int, values: [Double]) {
        ensure(values.count == rowCount * columnCount,
                     "CSVTable: \(rowCount) × \(columnCount) table needs \(rowCount * columnCount) values, got \(values.count)")
        self.columnNames = columnNames
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.values = values
    }

    /// The value at a row and column.
    public subscript(row: Int, column: Int) -> Double { values[row * columnCount + column] }

    /// The given columns as a `[rowCount, columns.count]` tensor (all columns by default).
    public func tensor(columns: Range<Int>? = nil) -> Tensor {
        let columns = columns ?? 0..<columnCount
        ensure(columns.lowerBound >= 0 && columns.upperBound <= columnCount,
                     "CSVTable.tensor: columns \(columns) out of range for \(columnCount) columns")
        let width = columns.count
        return Tensor(shape: [rowCount, width]) { p, _ in
            for r in 0..<rowCount {
                for (j, c) in columns.enumerated() { p[r * width + j] = Float(values[r * columnCount + c]) }
            }
        }
    }

    /// One column as indices (for example a label column); throws if a value is not an
    /// integer in `Int32`.
    public func indexTensor(column: Int, file: String = "CSV table") throws(DataError) -> IndexTensor {
        ensure(column >= 0 && column < columnCount, "CSVTable.indexTensor: column \(column) out of range for \(columnCount) columns")
        var out = [Int32](repeating: 0, count: rowCount)
        for r in 0..<rowCount {
            let v = values[r * columnCount + column]
            guard v.rounded() == v, let i = Int32(exactly: v) else {
                throw DataError(file: file, "row \(r + 1), column \(column + 1): \(v) is not an integer label")
            }
            out[r] = i
        }
        return IndexTensor(shape: [rowCount], scalars: out)
    }
}
