import Latent

// char-LSTM and char-Transformer fixtures need LSTM / MultiHeadAttention (branch
// wt-nnseq); until it is merged the models suite has no sequence workloads.
extension ModelBenchmark {
    static var sequenceTrainingFactories: [(String, String, () -> (Int) -> Void)] { [] }
}
