import ArgumentParser
import Latent

@main
struct LatentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latent",
        abstract: "Deep generative models and differentiable inference in Swift.",
        discussion: """
            Latent trains, samples and evaluates variational autoencoders, normalizing flows,
            GANs and autoregressive models on the CPU. Subcommands arrive as their model
            families land; see the README.
            """,
        version: LatentVersion.string)
}
