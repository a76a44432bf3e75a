import Latent
print("latent-bench: nothing yet")
