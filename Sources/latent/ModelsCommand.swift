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
                Console.line("  --option \(option.name)=\(kindText(option.kind)) (default \(option.defaultValue.isEmpty ? "\"\"" : option.defaultValue))")
                Console.line("      \(option.help)")
            }
            if type.options.isEmpty { Console.line("  (no options)") }
        }
    }

    func kindText(_ kind: ModelOption.Kind) -> String {
        switch kind {
        case .integer: "INT"
        case .number: "NUMBER"
        case .flag: "true|false"
        case .choice(let choices): choices.joined(separator: "|")
        case .integers: "INT,INT,..."
        }
    }
}
