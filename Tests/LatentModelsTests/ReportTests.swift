import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import LatentModels
import Testing

@Suite struct ReportTests {
    @Test func niceTicks() {
        #expect(SVGChart.ticks(0...10) == [0, 2, 4, 6, 8, 10])
        #expect(SVGChart.ticks(3.52...3.86) == [3.6, 3.7, 3.8])
        #expect(SVGChart.ticks(-4.5...4.5) == [-4, -2, 0, 2, 4])
    }

    @Test func chartIsWellFormedAndEscaped() throws {
        let chart = SVGChart(title: "a < b & c", xLabel: "step", yLabel: "loss", series: [
            SVGChart.Series(name: "train", color: "#1f77b4", points: [(1, 3), (2, 2), (3, .nan), (4, 1)]),
            SVGChart.Series(name: "points", color: "#ff7f0e", style: .points, points: [(1, 1), (2, 2)]),
        ])
        let svg = chart.svg()
        #expect(svg.contains("a &lt; b &amp; c"))
        #expect(svg.contains("<polyline"))
        #expect(!svg.lowercased().contains("nan"))
        // Parses as XML.
        _ = try XMLDocument(xmlString: svg)
    }

    @Test func bitsPerDimension() {
        let digits = DataDescription(featureShape: [1, 8, 8], kind: .image(levels: 17), name: "digits")
        #expect(abs(digits.bitsPerDimension(nats: 64 * log(2.0)) - 1) < 1e-12)
    }
}
