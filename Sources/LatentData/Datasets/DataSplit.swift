/// A part of a dataset with a fixed role.
///
/// Every dataset in Latent has a fixed validation split, so model selection never looks
/// at the test split. How each dataset carves its splits is documented on its loader.
public enum DataSplit: String, Sendable, CaseIterable {
    /// Examples to fit on.
    case train
    /// Examples for model selection and early stopping (held out of ``train``).
    case validation
    /// Examples for the final evaluation only.
    case test
    /// ``train`` and ``validation`` together (for MNIST-style datasets, the official
    /// training set).
    case trainAndValidation
}
