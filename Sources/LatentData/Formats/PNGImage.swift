import LatentCore

/// An 8-bit image as stored in a PNG file: interleaved channels, rows top to bottom.
public struct PNGImage: Sendable, Equatable {
    /// The PNG colour types Latent reads and writes (8 bits per channel).
    public enum ColorType: UInt8, Sendable {
        case grayscale = 0
        case rgb = 2
        case grayscaleAlpha = 4
        case rgba = 6

        /// Channels per pixel.
        public var channels: Int {
            switch self {
            case .grayscale: 1
            case .grayscaleAlpha: 2
            case .rgb: 3
            case .rgba: 4
            }
        }

        /// The colour type with this many channels (1, 2, 3 or 4).
        public init?(channels: Int) {
            switch channels {
            case 1: self = .grayscale
            case 2: self = .grayscaleAlpha
            case 3: self = .rgb
            case 4: self = .rgba
            default: return nil
            }
        }
    }

    public let width: Int
    public let height: Int
    public let colorType: ColorType
    /// `height × width × channels` bytes, row-major with interleaved channels.
    public let pixels: [UInt8]

    /// Channels per pixel.
    public var channels: Int { colorType.channels }

    public init(width: Int, height: Int, colorType: ColorType, pixels: [UInt8]) {
        ensure(width > 0 && height > 0, "PNGImage: size \(width) × \(height) must be positive")
        ensure(pixels.count == width * height * colorType.channels,
                     "PNGImage: \(width) × \(height) × \(colorType.channels) needs \(width * height * colorType.channels) bytes, got \(pixels.count)")
        self.width = width
        self.height = height
        self.colorType = colorType
        self.pixels = pixels
    }

    /// An image from a tensor of shape `[H, W]` or `[C, H, W]` with C = 1, 2, 3 or 4.
    ///
    /// Values are clamped to `range` and mapped linearly to 0…255 with rounding:
    /// `byte = round(255 · (clamp(v) − lower) / (upper − lower))`; NaN becomes 0.
    /// - Parameters:
    ///   - tensor: The image, channels first (as ``imageGrid(_:rows:padding:padValue:)`` returns).
    ///   - range: The values that map to black and white.
    public init(_ tensor: Tensor, range: ClosedRange<Float> = 0...1) {
        ensure(range.upperBound > range.lowerBound, "PNGImage: empty value range \(range)")
        let (c, h, w): (Int, Int, Int)
        switch tensor.rank {
        case 2: (c, h, w) = (1, tensor.shape[0], tensor.shape[1])
        case 3: (c, h, w) = (tensor.shape[0], tensor.shape[1], tensor.shape[2])
        default: fatalError("PNGImage: expected an image of shape [H, W] or [C, H, W], got \(tensor.shape)")
        }
        guard let type = ColorType(channels: c) else {
            fatalError("PNGImage: \(c) channels in shape \(tensor.shape); PNG takes 1, 2, 3 or 4")
        }
        let source = tensor.storage.pointer
        let lower = range.lowerBound, scale = 255 / (range.upperBound - range.lowerBound)
        var bytes = [UInt8](repeating: 0, count: c * h * w)
        for y in 0..<h {
            for x in 0..<w {
                for k in 0..<c {
                    let v = source[(k * h + y) * w + x]
                    let scaled = ((v - lower) * scale).rounded()
                    bytes[(y * w + x) * c + k] = scaled.isNaN ? 0 : UInt8(Swift.min(Swift.max(scaled, 0), 255))
                }
            }
        }
        self.init(width: w, height: h, colorType: type, pixels: bytes)
    }

    /// The image enlarged `factor` times in each direction, every pixel repeated as a
    /// `factor × factor` block (nearest neighbour: small images such as 8×8 digits stay sharp).
    public func enlarged(by factor: Int) -> PNGImage {
        ensure(factor >= 1, "PNGImage: enlargement factor \(factor) must be at least 1")
        guard factor > 1 else { return self }
        let c = channels, w = width * factor
        var bytes = [UInt8](repeating: 0, count: height * factor * w * c)
        for y in 0..<(height * factor) {
            for x in 0..<w {
                for k in 0..<c { bytes[(y * w + x) * c + k] = pixels[((y / factor) * width + x / factor) * c + k] }
            }
        }
        return PNGImage(width: w, height: height * factor, colorType: colorType, pixels: bytes)
    }

    /// The image as a `[C, H, W]` tensor with values `byte / 255` in [0, 1].
    public func tensor() -> Tensor {
        let c = channels, h = height, w = width
        return Tensor(shape: [c, h, w]) { p, _ in
            for y in 0..<h {
                for x in 0..<w {
                    for k in 0..<c { p[(k * h + y) * w + x] = Float(pixels[(y * w + x) * c + k]) / 255 }
                }
            }
        }
    }
}
