import Latent
import Testing
@Test func placeholder() { #expect(Tensor(1).scalar == 1) }
