import ArgumentParser
import Latent

/// `latent models [MODEL]`.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the registered models and their options (set with --option key=value).")

    @Argument(help: "Show only this model.")
    var model: String?

    func run() throws {
        let types = try model.map { [try ModelRegistry.model(named: $0)] } ?? ModelRegistry.all.sorted { $0.modelName < $1.modelName }
        for (i, type) in types.enumerated() {
            if i > 0 { Console.line("") }
            Console.line("\(type.modelName): \(type.abstract)")
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
}
