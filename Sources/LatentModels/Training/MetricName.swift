/// The names of metrics shared by several families, as they appear in `metrics.jsonl`,
/// `evaluation.json`, reports and the console.
///
/// **Convention.** Every metric and record key is lower-case words joined by hyphens
/// (`bits-per-dim`, `negative-elbo`, `items-per-second`), like the command-line flags and
/// model options. Values are per example (or per dimension where the name says so) and in
/// nats unless the name says bits.
public enum MetricName {
    /// Negative log-likelihood in nats per example (an estimate or bound where exact is impossible).
    public static let nll = "nll"
    /// `nll / (D · ln 2)`: bits per scalar dimension.
    public static let bitsPerDimension = "bits-per-dim"
    /// Bits per character of a text model.
    public static let bitsPerCharacter = "bits-per-char"
    /// The negative evidence lower bound in nats.
    public static let negativeELBO = "negative-elbo"
    /// The NLL of a toy dataset's generating density on the same points.
    public static let trueNLL = "true-nll"
    /// `nll − true-nll`.
    public static let nllGap = "nll-gap"
}
