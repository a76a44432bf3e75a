import ArgumentParser
import Foundation
import Latent

@main
struct LatentCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "latent",
            abstract: "Deep generative models and differentiable inference in Swift.",
            discussion: """
                Latent trains, samples and evaluates generative models on the CPU. Every model \
                registered with LatentModels works with every command; `latent models` lists \
                them with their options, `latent datasets list` the datasets.

                  latent train gaussian --dataset two-moons --steps 500 --output runs/moons
                  latent evaluate runs/moons
                  latent sample runs/moons --count 64 --output samples.png
                  latent report runs/moons
                """,
            version: LatentVersion.string,
            subcommands: [TrainCommand.self, SampleCommand.self, EvaluateCommand.self, ReportCommand.self,
                          ModelsCommand.self, DatasetsCommand.self, ClassifierCommand.self])
    }

    /// Runs the command. A bad value found while running (a `ValidationError`) prints one
    /// line and exits with status 1, like every other error from outside; only malformed
    /// command lines (unknown flags, missing values) exit with ArgumentParser's usage status 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as ValidationError {
            FileHandle.standardError.write(Data("Error: \(error.message)\n".utf8))
            Foundation.exit(1)
        } catch {
            exit(withError: error)
        }
    }
}
