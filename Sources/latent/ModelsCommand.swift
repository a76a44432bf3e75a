import ArgumentParser
import Latent

/// `latent models [MODEL] [--options]`: a guide to the models by strand, or one model in full.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "A guide to the models by strand; with a model name, all of its options (set with --option key=value).")

    @Argument(help: "Show this model with all of its options.")
    var model: String?

    @Flag(help: "List every option of every model.")
    var options = false

    func run() throws {
        if let model {
            describe(try ModelRegistry.model(named: model))
            return
        }
        if options {
            for (i, type) in ModelRegistry.all.sorted(by: { $0.modelName < $1.modelName }).enumerated() {
                if i > 0 { Console.line("") }
                describe(type)
            }
            return
        }
        Console.line("Latent's models by strand. `latent models NAME` shows every option of one; the commands run as printed")
        Console.line("(built-in data; add --steps 100 for a quick look). Then: latent evaluate RUN, latent sample RUN, latent report RUN.")
        let byStrand = Dictionary(grouping: ModelRegistry.all) { ModelGuide.of($0.modelName)?.strand }
        for strand in ModelGuide.Strand.allCases {
            guard let types = byStrand[strand] else { continue }
            Console.line("")
            Console.line("\(strand.rawValue): \(strand.idea)")
            for type in types { summary(type) }
        }
        if let others = byStrand[nil] {
            Console.line("")
            Console.line("Other registered models:")
            for type in others { summary(type) }
        }
    }

    /// Name, abstract, "use it when", typical options with their defaults, and the example.
    private func summary(_ type: any GenerativeModel.Type) {
        let indent = String(repeating: " ", count: 20)
        Console.line("  \(type.modelName.padding(toLength: 17, withPad: " ", startingAt: 0)) \(type.abstract)")
        guard let guide = ModelGuide.of(type.modelName) else { return }
        Console.line("\(indent)use it when \(guide.useWhen)")
        let typical = guide.typicalOptions.compactMap { name in type.options.first { $0.name == name } }
        if !typical.isEmpty {
            Console.line("\(indent)options: " + typical.map { "\($0.name)=\($0.defaultText)" }.joined(separator: ", "))
        }
        Console.line("\(indent)try: \(guide.example)")
    }

    /// Every option of one model, with its parameter groups.
    private func describe(_ type: any GenerativeModel.Type) {
        Console.line("\(type.modelName): \(type.abstract)")
        if let guide = ModelGuide.of(type.modelName) {
            Console.line("  \(guide.strand.rawValue); use it when \(guide.useWhen).")
            Console.line("  try: \(guide.example)")
        }
        for option in type.options {
            Console.line("  --option \(option.name)=\(option.placeholder) (default \(option.defaultText.isEmpty ? "\"\"" : option.defaultText))")
            Console.line("      \(option.help) Valid: \(option.validValues).")
        }
        if type.options.isEmpty { Console.line("  (no options)") }
        if let defaults = try? ModelOptions([:], declared: type.options, model: type.modelName) {
            let groups = type.parameterGroups(options: defaults)
            if groups.count > 1 {
                Console.line("  parameter groups (each with its own optimiser; set per group with e.g. --learning-rate \(groups[0].name)=2e-4): \(groups.map(\.name).joined(separator: ", "))")
            }
        }
    }
}
