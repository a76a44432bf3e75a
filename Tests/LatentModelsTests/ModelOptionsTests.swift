import LatentCore
import LatentData
import LatentModels
import Testing

@Suite struct ModelOptionsTests {
    enum Likelihood: String, OptionChoice { case bernoulli, gaussian }
    static let latent = ModelOption<Int>("latent", default: 32, bounds: .positive, help: "latent dimension")
    static let likelihood = ModelOption<Likelihood>("likelihood", default: .bernoulli, help: "decoder likelihood")
    static let hidden = ModelOption<[Int]>("hidden", default: [512, 256], bounds: .positiveEntries(), help: "hidden sizes")
    static let beta = ModelOption<Float>("beta", default: 1, bounds: .nonNegative, help: "KL weight")
    static let dreg = ModelOption<Bool>("dreg", default: false, help: "doubly reparameterised gradient")
    let declared: [any DeclaredOption] = [latent, likelihood, hidden, beta, dreg]

    @Test func defaultsAndTypedValues() throws {
        let o = try ModelOptions(["latent": "8", "dreg": "true"], declared: declared, model: "vae")
        #expect(o[Self.latent] == 8)
        #expect(o[Self.likelihood] == .bernoulli)
        #expect(o[Self.hidden] == [512, 256])
        #expect(o[Self.beta] == 1)
        #expect(o[Self.dreg])
        #expect(o.values == ["latent": "8", "likelihood": "bernoulli", "hidden": "512,256", "beta": "1.0", "dreg": "true"])
    }

    @Test func errorsNameTheOptionTheValueAndWhatIsValid() {
        #expect(throws: ModelOptionError("vae: unknown option 'latnet'; valid options: beta, dreg, hidden, latent, likelihood")) {
            try ModelOptions(["latnet": "8"], declared: declared, model: "vae")
        }
        #expect(throws: ModelOptionError("vae: option 'likelihood' needs one of bernoulli, gaussian, got 'poisson'")) {
            try ModelOptions(["likelihood": "poisson"], declared: declared, model: "vae")
        }
        #expect(throws: ModelOptionError("vae: option 'latent' needs an integer, got 'x'")) {
            try ModelOptions(["latent": "x"], declared: declared, model: "vae")
        }
        #expect(throws: ModelOptionError("vae: option 'latent' must be at least 1, got '0'")) {
            try ModelOptions(["latent": "0"], declared: declared, model: "vae")
        }
        #expect(throws: ModelOptionError("vae: option 'beta' must be at least 0, got '-1'")) {
            try ModelOptions(["beta": "-1"], declared: declared, model: "vae")
        }
        #expect(throws: ModelOptionError("vae: option 'beta' needs a finite number, got 'nan'")) {
            try ModelOptions(["beta": "nan"], declared: declared, model: "vae")
        }
        #expect(throws: ModelOptionError("vae: option 'hidden' must be positive integers, got '4,0'")) {
            try ModelOptions(["hidden": "4,0"], declared: declared, model: "vae")
        }
        #expect(throws: ModelOptionError("vae: option 'hidden' needs comma-separated integers, got '4,,8'")) {
            try ModelOptions(["hidden": "4,,8"], declared: declared, model: "vae")
        }
    }

    /// Every option of every registered model: its default is valid, and each invalid text
    /// (a value of the wrong type, `nan` for numbers, each declared counterexample of its
    /// bounds) is refused with a one-line error naming the model and the option.
    @Test func everyDeclaredOptionOfEveryModelIsChecked() throws {
        var checked = 0
        for type in ModelRegistry.all {
            let defaults = try ModelOptions([:], declared: type.options, model: type.modelName)
            #expect(defaults.values.count == type.options.count)
            #expect(Set(type.options.map(\.name)).count == type.options.count, "\(type.modelName): an option is declared twice")
            for option in type.options {
                #expect(!option.help.isEmpty, "\(type.modelName): option '\(option.name)' has no help")
                let invalid = option.invalidTexts
                #expect(invalid.count >= 1)
                for text in invalid {
                    do {
                        _ = try ModelOptions([option.name: text], declared: type.options, model: type.modelName)
                        Issue.record("\(type.modelName): option '\(option.name)' accepted '\(text)'")
                    } catch {
                        let message = error.message
                        #expect(message.hasPrefix("\(type.modelName): option '\(option.name)' "), "\(message)")
                        #expect(message.contains("'\(text)'") && !message.contains("\n"), "\(message)")
                    }
                    checked += 1
                }
            }
        }
        #expect(checked > 100)
    }

    /// Every registered model builds from its defaults on a dataset it accepts.
    @Test func everyModelBuildsFromItsDefaults() throws {
        let image = DataDescription(featureShape: [1, 16, 16], classCount: 10, kind: .image(levels: 17), name: "images")
        let vector = DataDescription(featureShape: [2], classCount: 8, kind: .continuous, name: "points")
        for type in ModelRegistry.all {
            let options = try ModelOptions([:], declared: type.options, model: type.modelName)
            var g = RandomGenerator(seed: 0)
            let built = (try? type.init(options: options, data: image, generator: &g)) ?? (try? type.init(options: options, data: vector, generator: &g))
            #expect(built != nil, "\(type.modelName) builds from its defaults on neither images nor vectors")
        }
    }
}
