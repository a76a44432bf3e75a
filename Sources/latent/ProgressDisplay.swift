import Foundation
import Latent

/// Shows training progress: on a terminal, one updating line with a bar, epoch, step,
/// loss, items/s and ETA, plus a line per validation; otherwise plain lines for every
/// record written to `metrics.jsonl`.
final class ProgressDisplay {
    let terminal: Bool
    private var totalSteps = 0
    private var stepsPerEpoch = 1
    private var firstStep = 0
    private var start = Date()
    private var lastDraw = Date.distantPast
    private var smoothedLoss: Double?
    /// Whether the cursor is at the end of a progress bar line.
    private var barShown = false

    init(terminal: Bool = Console.isTerminal) { self.terminal = terminal }

    func handle(_ event: TrainingEvent) {
        switch event {
        case let .started(step, total, perEpoch, resumed):
            totalSteps = total
            stepsPerEpoch = max(perEpoch, 1)
            firstStep = step
            start = Date()
            Console.line(resumed ? "resuming at step \(step) of \(total) (\(perEpoch) steps per epoch)"
                                 : "training for \(total) steps (\(perEpoch) steps per epoch)")
        case let .step(step, epoch, loss, itemsPerSecond, _):
            smoothedLoss = smoothedLoss.map { 0.9 * $0 + 0.1 * loss } ?? loss
            guard terminal else { return }
            let now = Date()
            guard now.timeIntervalSince(lastDraw) > 0.1 || step == totalSteps else { return }
            lastDraw = now
            let done = Double(step) / Double(max(totalSteps, 1))
            let width = 24
            let filled = Int(done * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            let rate = Double(step - firstStep) / max(now.timeIntervalSince(start), 1e-9)
            let eta = Double(totalSteps - step) / max(rate, 1e-9)
            barShown = true
            Console.overwrite("epoch \(epoch + 1) step \(step)/\(totalSteps) [\(bar)] loss \(Console.number(smoothedLoss ?? loss)) · \(Int(min(itemsPerSecond, 1e15))) items/s · ETA \(Console.duration(eta))")
        case let .record(record):
            if record.split == "validation" {
                let extras = record.metrics
                    .sorted { $0.key < $1.key }.map { "\($0.key) \(Console.number($0.value))" }.joined(separator: ", ")
                let text = "step \(record.step) validation: \(extras)"
                if terminal { Console.overwrite(text + "\n"); barShown = false } else { Console.line(text) }
            } else if !terminal {
                let eta = Double(totalSteps - record.step) / max(Double(record.step - firstStep) / max(Date().timeIntervalSince(start), 1e-9), 1e-9)
                Console.line("epoch \(record.epoch + 1) step \(record.step)/\(totalSteps) loss \(Console.number(record.loss)) · \(Int(min(record.itemsPerSecond ?? 0, 1e15))) items/s · ETA \(Console.duration(eta))")
            }
        case .checkpoint:
            break
        case let .restarted(reason):
            Console.line("resume: \(reason)")
        }
    }

    func finish() {
        if terminal && barShown { Console.line("") }
    }
}
