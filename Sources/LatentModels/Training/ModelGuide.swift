/// What `latent models` prints before the option lists: the models grouped by strand, each
/// with when to use it, the options people change first and a command that works as printed
/// (on built-in data unless it says otherwise).
public struct ModelGuide: Sendable {
    /// The four strands of differentiable inference, and the baselines.
    public enum Strand: String, CaseIterable, Sendable {
        case baseline = "Baselines"
        case variational = "Variational autoencoders"
        case flow = "Normalizing flows"
        case adversarial = "Generative adversarial networks"
        case autoregressive = "Autoregressive models"

        /// One line on what the strand does.
        public var idea: String {
            switch self {
            case .baseline: "a yardstick: what any model should beat"
            case .variational: "a recognition network q(z|x) and a decoder p(x|z), trained together on a bound of log p(x)"
            case .flow: "invertible maps from a simple base density: exact log p(x) and exact sampling"
            case .adversarial: "a generator trained to fool a discriminator: sharp samples, no likelihood"
            case .autoregressive: "p(x) = Πᵢ p(xᵢ | x<ᵢ): exact likelihood, sequential sampling (pixels or characters)"
            }
        }
    }

    public let strand: Strand
    /// "Use it when …" (without those words).
    public let useWhen: String
    /// The names of the options worth knowing first (`latent models` prints them with their defaults).
    public let typicalOptions: [String]
    /// A complete `latent train …` command.
    public let example: String

    public init(strand: Strand, useWhen: String, typicalOptions: [String], example: String) {
        self.strand = strand
        self.useWhen = useWhen
        self.typicalOptions = typicalOptions
        self.example = example
    }

    /// The guide of a model, by name (nil for models registered from outside without one).
    public static func of(_ modelName: String) -> ModelGuide? { builtIn[modelName] }

    /// The built-in models' guides.
    public static let builtIn: [String: ModelGuide] = [
        "gaussian": ModelGuide(
            strand: .baseline, useWhen: "you need the NLL of the best diagonal Gaussian, to see how much a model adds",
            typicalOptions: [], example: "latent train gaussian --dataset two-moons --epochs 2 --output runs/gaussian"),
        "vae": ModelGuide(
            strand: .variational, useWhen: "you want a compact latent space, reconstructions and samples of images or vectors, with an NLL bound",
            typicalOptions: ["latent-dimension", "likelihood", "beta", "posterior", "prior"],
            example: "latent train vae --dataset digits --epochs 100 --schedule cosine --output runs/vae"),
        "iwae": ModelGuide(
            strand: .variational, useWhen: "you want a tighter bound than the ELBO and more active latent units, at K decoder passes per example",
            typicalOptions: ["samples", "estimator"],
            example: "latent train iwae --dataset digits --epochs 50 --option samples=10 --output runs/iwae"),
        "cvae": ModelGuide(
            strand: .variational, useWhen: "you have class labels and want to sample a chosen class (latent sample --class K)",
            typicalOptions: ["latent-dimension", "beta"],
            example: "latent train cvae --dataset digits --epochs 100 --output runs/cvae"),
        "hvae": ModelGuide(
            strand: .variational, useWhen: "you want two stochastic layers (Burda et al.'s two-layer model) instead of one",
            typicalOptions: ["latent-dimension", "latent-dimension-2", "bound"],
            example: "latent train hvae --dataset digits --epochs 50 --output runs/hvae"),
        "vqvae": ModelGuide(
            strand: .variational, useWhen: "you want discrete codes (a codebook) and a PixelCNN prior over them instead of a Gaussian latent",
            typicalOptions: ["codebook-size", "code-dimension", "prior-architecture"],
            example: "latent train vqvae --dataset digits --epochs 30 --output runs/vqvae"),
        "realnvp": ModelGuide(
            strand: .flow, useWhen: "you want exact density and fast sampling on vectors, both directions in one pass",
            typicalOptions: ["layers", "hidden"],
            example: "latent train realnvp --dataset two-moons --steps 1500 --output runs/realnvp"),
        "maf": ModelGuide(
            strand: .flow, useWhen: "density evaluation matters more than sampling speed (one pass to score, D passes to sample)",
            typicalOptions: ["layers", "hidden"],
            example: "latent train maf --dataset pinwheel --steps 1500 --output runs/maf"),
        "nsf": ModelGuide(
            strand: .flow, useWhen: "you want the most flexible flow for tabular or 2-D data (monotone spline transforms)",
            typicalOptions: ["layers", "bins", "autoregressive"],
            example: "latent train nsf --dataset checkerboard --steps 1500 --output runs/nsf"),
        "glow": ModelGuide(
            strand: .flow, useWhen: "you want an exact-likelihood model of images in bits per dimension",
            typicalOptions: ["levels", "steps", "hidden-channels", "architecture"],
            example: "latent train glow --dataset digits --epochs 20 --output runs/glow"),
        "gan": ModelGuide(
            strand: .adversarial, useWhen: "you want samples of low-dimensional data and to see mode collapse measured (8gaussians, 25gaussians)",
            typicalOptions: ["hidden", "loss", "r1"],
            example: "latent train gan --dataset 8gaussians --steps 6000 --batch-size 256 --option hidden=128,128 --output runs/gan"),
        "dcgan": ModelGuide(
            strand: .adversarial, useWhen: "you want sharp image samples and will judge them by FD, precision and recall rather than a likelihood",
            typicalOptions: ["loss", "spectral-norm", "width"],
            example: "latent train dcgan --dataset digits --steps 2000 --average generator=0.999 --output runs/dcgan"),
        "cgan": ModelGuide(
            strand: .adversarial, useWhen: "you want image samples of a chosen class (latent sample --class K)",
            typicalOptions: ["loss", "spectral-norm"],
            example: "latent train cgan --dataset digits --steps 2000 --average generator=0.999 --output runs/cgan"),
        "made": ModelGuide(
            strand: .autoregressive, useWhen: "you want an exact likelihood of binary images or vectors in one network pass",
            typicalOptions: ["hidden", "ordering", "masks", "output"],
            example: "latent train made --dataset digits --epochs 100 --option masks=8 --output runs/made"),
        "pixelcnn": ModelGuide(
            strand: .autoregressive, useWhen: "you want the best likelihood on images and can wait for pixel-by-pixel sampling",
            typicalOptions: ["architecture", "layers", "channels", "output"],
            example: "latent train pixelcnn --dataset digits --epochs 30 --schedule cosine --output runs/pixelcnn"),
        "char-mlp": ModelGuide(
            strand: .autoregressive, useWhen: "you want the quickest text model: the next character from the last k (an n-gram network)",
            typicalOptions: ["context"],
            example: "latent train char-mlp --dataset sherlock-holmes-excerpt --steps 1500 --batch-size 32 --learning-rate 3e-3 --output runs/char-mlp"),
        "char-rnn": ModelGuide(
            strand: .autoregressive, useWhen: "you want a recurrent language model that carries its state through long text (LSTM or GRU)",
            typicalOptions: ["cell", "hidden", "layers", "window", "dropout"],
            example: "latent train char-rnn --dataset sherlock-holmes-excerpt --steps 800 --batch-size 32 --learning-rate 3e-3 --option cell=gru --output runs/char-rnn"),
        "char-transformer": ModelGuide(
            strand: .autoregressive, useWhen: "you want a GPT-style model: attention over a fixed context, fast generation with a key–value cache",
            typicalOptions: ["layers", "heads", "width", "context", "dropout"],
            example: "latent train char-transformer --dataset sherlock-holmes-excerpt --steps 1000 --batch-size 32 --option dropout=0.1 --output runs/char-transformer"),
    ]
}
