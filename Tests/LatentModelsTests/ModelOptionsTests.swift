import LatentModels
import Testing

@Suite struct ModelOptionsTests {
    let declared = [
        ModelOption("latent", .integer, default: "32", help: "latent dimension"),
        ModelOption("likelihood", .choice(["bernoulli", "gaussian"]), default: "bernoulli", help: "decoder likelihood"),
        ModelOption("hidden", .integers, default: "512,256", help: "hidden sizes"),
        ModelOption("beta", .number, default: "1", help: "KL weight"),
        ModelOption("dreg", .flag, default: "false", help: "doubly reparameterised gradient"),
    ]

    @Test func defaultsAndValues() throws {
        let o = try ModelOptions(["latent": "8", "dreg": "true"], declared: declared, model: "vae")
        #expect(o.integer("latent") == 8)
        #expect(o.string("likelihood") == "bernoulli")
        #expect(o.integers("hidden") == [512, 256])
        #expect(o.number("beta") == 1)
        #expect(o.flag("dreg"))
    }

    @Test func errorsListValidChoices() {
        #expect(throws: ModelOptionError("vae: unknown option 'latnet'; valid options: beta, dreg, hidden, latent, likelihood")) {
            try ModelOptions(["latnet": "8"], declared: declared, model: "vae")
        }
        #expect(throws: ModelOptionError("vae: option 'likelihood' must be one of bernoulli, gaussian, got 'poisson'")) {
            try ModelOptions(["likelihood": "poisson"], declared: declared, model: "vae")
        }
        #expect(throws: ModelOptionError("vae: option 'latent' needs an integer, got 'x'")) {
            try ModelOptions(["latent": "x"], declared: declared, model: "vae")
        }
    }
}
