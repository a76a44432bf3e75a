import Foundation

/// A small, dependency-free SVG chart: line series and point clouds on linear axes, with
/// "nice" ticks, a legend and axis labels. Produces a self-contained `<svg>` element.
public struct SVGChart {
    /// One data series.
    public struct Series {
        public enum Style { case line, points }
        public var name: String
        public var color: String
        public var style: Style
        public var points: [(x: Double, y: Double)]
        public init(name: String, color: String, style: Style = .line, points: [(x: Double, y: Double)]) {
            self.name = name; self.color = color; self.style = style; self.points = points
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var width = 720.0
    public var height = 360.0
    /// Fixed ranges (otherwise from the data).
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series
    }

    /// "Nice" tick positions covering `range` (steps of 1, 2 or 5 × 10ᵏ).
    public static func ticks(_ range: ClosedRange<Double>, count: Int = 6) -> [Double] {
        let span = range.upperBound - range.lowerBound
        // A span below the resolution of the values (e.g. losses alternating between 1 and
        // 1 + 2⁻⁵²) has no ticks between its ends: one tick, never a loop that cannot advance.
        let scale = max(abs(range.lowerBound), abs(range.upperBound))
        guard span > 0, span.isFinite, span > scale * 1e-9 else { return [range.lowerBound] }
        let raw = span / Double(max(count - 1, 1))
        let magnitude = pow(10, floor(log10(raw)))
        let mantissa = [1.0, 2, 5, 10].first { $0 * magnitude >= raw } ?? 10
        let step = mantissa * magnitude
        // k · mantissa / 10ⁿ rather than k · step, so 38 · 0.1 prints as 3.8.
        func value(_ k: Double) -> Double {
            magnitude < 1 ? k * mantissa / (1 / magnitude).rounded() : k * mantissa * magnitude
        }
        let first = (range.lowerBound / step).rounded(.up)
        let last = ((range.upperBound + step * 1e-9) / step).rounded(.down)
        guard first.isFinite, last.isFinite, last >= first, last - first < 1000 else { return [range.lowerBound] }
        var ticks: [Double] = []
        for i in 0...Int(last - first) {
            let v = value(first + Double(i))
            if v <= range.upperBound + step * 1e-9 { ticks.append(v == 0 ? 0 : v) }
        }
        return ticks.isEmpty ? [range.lowerBound] : ticks
    }

    static func format(_ v: Double) -> String {
        if v == 0 { return "0" }
        if abs(v) >= 1e5 || abs(v) < 1e-3 { return String(format: "%.1e", v) }
        if v.isFinite && v == v.rounded() { return String(Int(v)) }
        return String(format: "%g", (v * 1e4).rounded() / 1e4)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// The chart as an `<svg>` element.
    public func svg() -> String {
        let finite = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        func padded(_ values: [Double]) -> ClosedRange<Double> {
            guard let lo = values.min(), let hi = values.max() else { return 0...1 }
            if lo == hi { return (lo - 1)...(hi + 1) }
            let pad = (hi - lo) * 0.04
            return (lo - pad)...(hi + pad)
        }
        let xr = xRange ?? padded(finite.map(\.x))
        let yr = yRange ?? padded(finite.map(\.y))
        let left = 70.0, right = 20.0, top = 34.0, bottom = 48.0
        let plotW = width - left - right, plotH = height - top - bottom
        func px(_ x: Double) -> Double { left + (x - xr.lowerBound) / (xr.upperBound - xr.lowerBound) * plotW }
        func py(_ y: Double) -> Double { top + (yr.upperBound - y) / (yr.upperBound - yr.lowerBound) * plotH }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }

        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        out += "<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"white\"/>\n"
        out += "<text x=\"\(f(width / 2))\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">\(Self.escape(title))</text>\n"
        for t in Self.ticks(xr) {
            out += "<line x1=\"\(f(px(t)))\" y1=\"\(f(top))\" x2=\"\(f(px(t)))\" y2=\"\(f(top + plotH))\" stroke=\"#e4e4e4\"/>"
            out += "<text x=\"\(f(px(t)))\" y=\"\(f(top + plotH + 16))\" text-anchor=\"middle\">\(Self.format(t))</text>\n"
        }
        for t in Self.ticks(yr) {
            out += "<line x1=\"\(f(left))\" y1=\"\(f(py(t)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(py(t)))\" stroke=\"#e4e4e4\"/>"
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\">\(Self.format(t))</text>\n"
        }
        out += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#888\"/>\n"
        out += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 8))\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        out += "<text transform=\"translate(16 \(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(Self.escape(yLabel))</text>\n"
        out += "<g clip-path=\"none\">\n"
        for s in series {
            let pts = s.points.filter { $0.x.isFinite && $0.y.isFinite && xr.contains($0.x) && yr.contains($0.y) }
            switch s.style {
            case .line:
                guard !pts.isEmpty else { continue }
                let path = pts.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
                out += "<polyline class=\"series\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\" points=\"\(path)\"/>\n"
                if pts.count < 40 {
                    for p in pts { out += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"3\" fill=\"\(s.color)\"/>" }
                    out += "\n"
                }
            case .points:
                for p in pts { out += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"1.5\" fill=\"\(s.color)\" fill-opacity=\"0.5\"/>" }
                out += "\n"
            }
        }
        out += "</g>\n"
        // Legend, top right inside the plot.
        for (i, s) in series.enumerated() {
            let y = top + 14 + Double(i) * 18
            let x = left + plotW - 150
            out += "<rect x=\"\(f(x))\" y=\"\(f(y - 9))\" width=\"12\" height=\"12\" fill=\"\(s.color)\"/>"
            out += "<text x=\"\(f(x + 18))\" y=\"\(f(y + 1))\">\(Self.escape(s.name))</text>\n"
        }
        out += "</svg>"
        return out
    }
}
