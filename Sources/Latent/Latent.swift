// The umbrella module: `import Latent` brings in every layer of the library.
@_exported import LatentCore
@_exported import LatentNN
@_exported import LatentProbability
@_exported import LatentData
@_exported import LatentModels
