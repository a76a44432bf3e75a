import Foundation
import LatentCore
import LatentData

/// `report.html`: one self-contained page per run — no scripts, no external files. Loss
/// curves are inline SVG (``SVGChart``); pictures are PNG data URIs.
///
/// Sections: the final metrics (the last `latent evaluate` result from `evaluation.json`
/// when there is one, and the last validation line), the loss curves (training loss and
/// validation headline metric against the step, plus one chart per extra training metric),
/// samples (an image grid, or for 2-D data a scatter plot of samples over validation
/// data), the model's own figures, and the configuration.
public enum TrainingReport {
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]

    /// Builds the page for a loaded run.
    /// - Parameters:
    ///   - trained: The run with the checkpoint to sample from.
    ///   - sampleCount: Number of samples to draw.
    ///   - seed: Seed of the samples.
    public static func html(for trained: TrainedRun, sampleCount: Int = 64, seed: UInt64 = 0) throws -> String {
        let config = trained.configuration
        let records = trained.run.readMetrics()
        let train = records.filter { $0.split == "train" }
        let validation = records.filter { $0.split == "validation" }
        let evaluation = (try? Data(contentsOf: trained.run.evaluation)).flatMap { try? JSONDecoder().decode(EvaluationResult.self, from: $0) }

        var body = ""
        body += "<h1>\(esc(config.modelName)) on \(esc(config.dataset))</h1>\n"
        body += "<p class=\"sub\">Run <code>\(esc(trained.run.url.path))</code> · \(train.last?.step ?? 0) steps · checkpoint <code>\(trained.checkpointName)</code> (step \(trained.step)) · generated \(esc(ISO8601DateFormatter().string(from: Date())))</p>\n"

        // Final metrics.
        body += "<h2>Final metrics</h2>\n"
        var rows: [(String, String, String)] = []
        // One row per metric, the per-class accuracies (`class-accuracy-K`) folded into one.
        func append(_ metrics: [String: Double], split: String) {
            let perClass = metrics.compactMap { k, v in k.droppingPrefix("class-accuracy-").flatMap(Int.init).map { ($0, v) } }
                .sorted { $0.0 < $1.0 }
            for (k, v) in metrics.sorted(by: { $0.key < $1.key }) where !k.hasPrefix("class-accuracy-") {
                rows.append((split, k, fmt(v)))
            }
            if !perClass.isEmpty {
                rows.append((split, "class-accuracy by class (\(perClass.first!.0)…\(perClass.last!.0))",
                             perClass.map { String(format: "%.2f", $0.1) }.joined(separator: " ")))
            }
        }
        if let evaluation {
            append(evaluation.metrics, split: "\(evaluation.split) (\(evaluation.checkpoint), step \(evaluation.step))")
        }
        if let last = validation.last { append(last.metrics, split: "validation (step \(last.step))") }
        if let last = train.last { rows.append(("train (step \(last.step), mean of last window)", "loss", fmt(last.loss))) }
        if rows.isEmpty {
            body += "<p>No metrics yet.</p>\n"
        } else {
            body += "<table class=\"metrics\"><tr><th>split</th><th>metric</th><th>value</th></tr>\n"
            for r in rows { body += "<tr><td>\(esc(r.0))</td><td>\(esc(r.1))</td><td class=\"num\">\(r.2)</td></tr>\n" }
            body += "</table>\n"
        }
        body += "<p class=\"note\">NLL in nats per example; bits/dim = NLL / (D · ln 2) with D = \(trained.description.dimension)"
        if case .image(let levels) = trained.description.kind {
            body += ", on the discrete scale of \(levels) levels (continuous densities of dequantised data include + D·ln \(levels))"
        }
        body += ".</p>\n"

        // Curves.
        body += "<h2>Loss curves</h2>\n"
        let headline = trained.model.evaluationMetrics.first ?? "loss"
        // The validation headline shares the loss chart when it is in the same units (nats).
        let headlineIsLoss = ["nll", "loss", "elbo"].contains(headline)
        var lossSeries = [SVGChart.Series(name: "train loss", color: palette[0], points: train.map { (Double($0.step), $0.loss) })]
        if !validation.isEmpty && headlineIsLoss {
            lossSeries.append(SVGChart.Series(name: "validation \(headline)", color: palette[1],
                                              points: validation.map { (Double($0.step), $0.loss) }))
        }
        body += SVGChart(title: "Loss", xLabel: "step", yLabel: "loss (nats)", series: lossSeries).svg() + "\n"
        func smallChart(_ title: String, _ series: [SVGChart.Series]) -> String {
            var chart = SVGChart(title: title, xLabel: "step", yLabel: series.count == 1 ? title : "value", series: series)
            chart.width = 430
            chart.height = 260
            return chart.svg() + "\n"
        }
        func points(_ records: [MetricsRecord], _ key: String) -> [(x: Double, y: Double)] {
            records.compactMap { r in r.metrics[key].map { (Double(r.step), $0) } }
        }
        if !validation.isEmpty && !headlineIsLoss {
            body += smallChart("validation \(headline)", [SVGChart.Series(name: "validation \(headline)", color: palette[1], points: validation.map { (Double($0.step), $0.loss) })])
        }
        // Sample-quality fractions of a GAN on one chart.
        let fractions = ["precision", "recall", "density", "coverage"].filter { key in validation.contains { $0.metrics[key] != nil } }
        if !fractions.isEmpty {
            body += smallChart("validation sample quality", fractions.enumerated().map { i, key in
                SVGChart.Series(name: key, color: palette[(i + 2) % palette.count], points: points(validation, key))
            })
        }
        // Training metrics: the losses of several networks share a chart; a metric that never
        // changes (a constant schedule) is stated rather than drawn.
        let extra = Set(train.flatMap { $0.metrics.keys }).sorted()
        let networkLosses = extra.filter { $0.hasSuffix("-loss") }
        if networkLosses.count > 1 {
            body += smallChart("losses of the networks", networkLosses.enumerated().map { i, key in
                SVGChart.Series(name: key, color: palette[(i + 2) % palette.count], points: points(train, key))
            })
        }
        var constants: [String] = []
        for (i, key) in extra.enumerated() where networkLosses.count < 2 || !networkLosses.contains(key) {
            let series = points(train, key)
            if let first = series.first?.y, series.allSatisfy({ $0.y == first }) {
                constants.append("\(key) = \(fmt(first))")
                continue
            }
            body += smallChart(key, [SVGChart.Series(name: "train \(key)", color: palette[(i + 2) % palette.count], points: series)])
        }
        if !constants.isEmpty {
            body += "<p class=\"note\">Constant over the run (not drawn): \(esc(constants.joined(separator: ", "))).</p>\n"
        }

        // Samples.
        body += "<h2>Samples</h2>\n"
        if trained.generatesText {
            for temperature: Float in [0.8, 1.0] {
                let text = try trained.text(prompt: "", count: 1, length: 600, sampling: TextSampling(temperature: temperature), seed: seed)[0]
                body += "<p>600 tokens at temperature \(temperature) (seed \(seed)):</p>\n<pre class=\"text-sample\">\(esc(text))</pre>\n"
            }
        } else {
            // Drawn only by the pictures that show them (class-conditional models draw per class below).
            lazy var samples = trained.sample(count: trained.description.featureShape == [2] ? 2000 : sampleCount, seed: seed)
            if trained.description.featureShape == [2] {
                let data = try DatasetCatalog.load(config.dataset, split: .validation, store: trained.store)
                func pairs(_ t: Tensor, limit: Int) -> [(x: Double, y: Double)] {
                    let s = t.scalars
                    return (0..<min(s.count / 2, limit)).map { (Double(s[2 * $0]), Double(s[2 * $0 + 1])) }
                }
                var chart = SVGChart(title: "Samples and validation data", xLabel: "x₁", yLabel: "x₂", series: [
                    SVGChart.Series(name: "data", color: palette[0], style: .points, points: pairs(data.features, limit: 2000)),
                    SVGChart.Series(name: "samples", color: palette[1], style: .points, points: pairs(samples, limit: 2000)),
                ])
                chart.width = 560; chart.height = 560
                chart.xRange = -4.5...4.5; chart.yRange = -4.5...4.5
                body += chart.svg() + "\n"
            } else if trained.description.featureShape == [1] {
                // 1-D data: histograms of samples and validation data on shared bins.
                let data = try DatasetCatalog.load(config.dataset, split: .validation, store: trained.store).features.scalars
                let drawn = samples.scalars.filter { $0.isFinite }
                let low = Double(min(data.min() ?? 0, drawn.min() ?? 0)), high = Double(max(data.max() ?? 1, drawn.max() ?? 1))
                let bins = 60, width = max(high - low, 1e-6) / Double(bins)
                func density(_ values: [Float]) -> [(x: Double, y: Double)] {
                    var counts = [Double](repeating: 0, count: bins)
                    for v in values { counts[Int(min(max((Double(v) - low) / width, 0), Double(bins - 1)))] += 1 }
                    return counts.enumerated().map { (low + (Double($0.offset) + 0.5) * width, $0.element / (Double(max(values.count, 1)) * width)) }
                }
                var chart = SVGChart(title: "Histogram of samples and validation data", xLabel: "x", yLabel: "density", series: [
                    SVGChart.Series(name: "data", color: palette[0], points: density(data)),
                    SVGChart.Series(name: "samples", color: palette[1], points: density(drawn)),
                ])
                chart.width = 560
                body += chart.svg() + "\n"
            } else if !TrainedRun.canPicture(trained.description) {
                body += "<p>Samples of \(trained.description.featureShape)-shaped vectors have no picture; write them with <code>latent sample RUN --output samples.npy</code>.</p>\n"
            } else {
                if let conditional = trained.model as? any ConditionalSampler, conditional.classCount > 0,
                   trained.description.featureShape.count == 3 {
                    // Class-conditional models: one row per class, the same number of samples in each.
                    let k = conditional.classCount, perClass = max(1, min(16, sampleCount / k))
                    let rows = try (0..<k).map { try trained.sample(count: perClass, seed: seed &+ UInt64($0), class: $0) }
                    body += figure(imageGrid(concatenate(rows, alongAxis: 0).clamped(min: 0, max: 1), rows: k, padding: 1, padValue: 0.5),
                                   caption: "\(perClass) samples of each class, one row per class (0 at the top; seed \(seed))")
                } else {
                    let grid = try TrainedRun.picture(of: samples, description: trained.description)
                    body += figure(grid, caption: "\(samples.shape[0]) samples (seed \(seed))")
                }
                let data = try DatasetCatalog.load(config.dataset, split: .validation, store: trained.store)
                let real = data.batch(at: Array(0..<min(sampleCount, data.count))).features
                body += figure(try TrainedRun.picture(of: real, description: trained.description), caption: "validation examples, for comparison")
            }
        }

        // Progress pictures saved at the validations: at most 8, evenly spaced, first and last included.
        let progress = trained.run.progressImages()
        if !progress.isEmpty {
            body += "<h2>Progress</h2>\n"
            let shown = progress.count <= 8 ? Array(progress.indices)
                : Array(Set((0..<8).map { $0 * (progress.count - 1) / 7 })).sorted()
            for i in shown {
                guard let data = try? Data(contentsOf: progress[i].url) else { continue }
                body += "<figure><img alt=\"step \(progress[i].step)\" width=\"240\" src=\"data:image/png;base64,\(data.base64EncodedString())\" style=\"image-rendering: pixelated\"><figcaption>step \(progress[i].step)</figcaption></figure>\n"
            }
        }

        // Model figures.
        let figures = (try? trained.figures(seed: seed)) ?? []
        if !figures.isEmpty {
            body += "<h2>Figures</h2>\n"
            for f in figures { body += figure(f.pixels, caption: f.caption) }
        }

        // Configuration.
        body += "<h2>Configuration</h2>\n<table class=\"config\">\n"
        let json = (try? JSONSerialization.jsonObject(with: config.encoded())) as? [String: Any] ?? [:]
        for key in json.keys.sorted() {
            let value: String
            if let dict = json[key] as? [String: Any] {
                value = dict.isEmpty ? "(defaults)" : dict.keys.sorted().map { "\($0)=\(dict[$0]!)" }.joined(separator: ", ")
            } else {
                value = "\(json[key]!)"
            }
            body += "<tr><td>\(esc(key))</td><td><code>\(esc(value))</code></td></tr>\n"
        }
        body += "</table>\n"

        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>\(esc(config.modelName)) on \(esc(config.dataset)) — Latent report</title>
            <style>
            body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 900px; margin: 24px auto; color: #222; padding: 0 16px; }
            h1 { font-size: 26px; margin-bottom: 4px; } h2 { font-size: 19px; border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 32px; }
            .sub, .note { color: #666; font-size: 13px; }
            table { border-collapse: collapse; font-size: 14px; } td, th { border: 1px solid #ddd; padding: 4px 10px; text-align: left; }
            th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
            svg.chart { display: inline-block; vertical-align: top; margin: 12px 8px 0 0; border: 1px solid #eee; }
            figure { display: inline-block; margin: 8px 16px 8px 0; } figure img { image-rendering: pixelated; border: 1px solid #ddd; }
            figcaption { font-size: 13px; color: #555; }
            pre.text-sample { white-space: pre-wrap; background: #f8f8f8; border: 1px solid #eee; padding: 10px; font-size: 13px; }
            </style></head><body>
            \(body)
            </body></html>

            """
    }

    /// Writes `report.html` into the run folder and returns its URL.
    @discardableResult
    public static func write(for trained: TrainedRun, sampleCount: Int = 64, seed: UInt64 = 0) throws -> URL {
        let text = try html(for: trained, sampleCount: sampleCount, seed: seed)
        let url = trained.run.report
        try Data(text.utf8).write(to: url, options: .atomic)
        return url
    }

    /// An `<img>` with a PNG data URI, scaled up to about 360 px wide (pixelated).
    static func figure(_ pixels: Tensor, caption: String) -> String {
        let image = PNGImage(pixels.detached())
        let base64 = Data(PNG.encode(image)).base64EncodedString()
        let scale = max(1, 360 / max(image.width, 1))
        return "<figure><img alt=\"\(esc(caption))\" width=\"\(image.width * scale)\" height=\"\(image.height * scale)\" src=\"data:image/png;base64,\(base64)\"><figcaption>\(esc(caption))</figcaption></figure>\n"
    }

    static func esc(_ s: String) -> String { SVGChart.escape(s) }

    static func fmt(_ v: Double) -> String {
        v.isFinite ? String(format: "%.4f", v) : "\(v)"
    }
}
