import LatentCore

/// Windows of `streams` parallel token streams in stream order, for truncated
/// backpropagation through time with state carried across batches.
///
/// The token sequence is cut into `streams` contiguous pieces of `⌊(n − 1) / streams⌋`
/// tokens (plus one next token each), and each piece into `chunksPerStream` windows of
/// `length`. Example `i` is chunk `i / streams` of stream `i % streams`, so an *unshuffled*
/// loader with batch size `streams` gives batches whose row `b` continues exactly where row
/// `b` of the previous batch ended; a batch of chunk 0 starts every stream afresh (the
/// start of an epoch). Leftover tokens at the end of each piece are not visited.
///
///     stream b, chunk c:  inputs  tokens[b·S + c·L ..< b·S + (c+1)·L]
///                         targets tokens[b·S + c·L + 1 ..< b·S + (c+1)·L + 1]   (S = stream length)
public struct ContiguousStreamDataset: Dataset {
    /// The token stream.
    public let tokens: [Int32]
    /// Tokens per window (the truncation length of backpropagation through time).
    public let length: Int
    /// Number of parallel streams (the training batch size).
    public let streams: Int

    public init(tokens: [Int32], length: Int, streams: Int) {
        ensure(length > 0 && streams > 0, "ContiguousStreamDataset: length and streams must be positive, got \(length), \(streams)")
        self.tokens = tokens
        self.length = length
        self.streams = streams
    }

    /// Input tokens per stream (each stream also reads one token past its end as a target).
    public var streamLength: Int { max(tokens.count - 1, 0) / streams }

    /// Windows per stream: the batches of one epoch.
    public var chunksPerStream: Int { streamLength / length }

    public var count: Int { streams * chunksPerStream }

    /// Which stream and which of its chunks example `index` is.
    public func position(of index: Int) -> (stream: Int, chunk: Int) { (index % streams, index / streams) }

    public func batch(at indices: [Int], generator: inout RandomGenerator) -> TokenBatch {
        checkIndices(indices, "ContiguousStreamDataset.batch")
        let starts = indices.map { i in
            let (stream, chunk) = position(of: i)
            return stream * streamLength + chunk * length
        }
        return TokenBatch(tokens: tokens, starts: starts, length: length, indices: indices)
    }
}
