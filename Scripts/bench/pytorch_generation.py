"""PyTorch timings of autoregressive generation, the counterpart of `latent-bench generation`.

Uses the reference models of ../shared/bench/pytorch_reference.py (imported from the path
given by --reference):
  made-passes           MADE 1x1024, 100 samples, the reference's naive loop (784 full passes)
  transformer-no-cache  its CharTransformer (4 layers, 4 heads, width 128) with context 1024,
                        1,000 tokens after a one-token prompt, the visible window recomputed
                        for every token (as nanoGPT's generate does)
  transformer-cache     the same weights with a key-value cache written here: each new token
                        runs the blocks on one position and attends to the cached keys/values
Prints `generation KEY MEDIAN_SECONDS` lines.
"""
import argparse
import importlib.util
import time

import torch
import torch.nn.functional as F


def load_reference(path):
    spec = importlib.util.spec_from_file_location("pytorch_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generate_no_cache(model, count):
    idx = torch.zeros(1, 1, dtype=torch.long)
    ctx = model.pos.num_embeddings
    for _ in range(count):
        window = idx[:, -ctx:]
        x = model.tok(window) + model.pos(torch.arange(window.shape[1]))
        for b in model.blocks:
            x = b(x)
        logits = model.head(model.ln(x[:, -1]))
        nxt = torch.multinomial(F.softmax(logits, dim=-1), 1)
        idx = torch.cat([idx, nxt], dim=1)
    return idx


class Cache:
    """Keys and values of the positions seen so far, per block ([1, heads, t, head width])."""

    def __init__(self, model):
        self.model, self.heads, self.d = model, model.blocks[0].heads, model.tok.embedding_dim
        empty = torch.empty(1, self.heads, 0, self.d // self.heads)
        self.keys = [empty for _ in model.blocks]
        self.values = [empty for _ in model.blocks]
        self.t = 0

    def step(self, token):
        """Logits [1, V] after `token` [1, 1], which takes the next position."""
        m, d, hd = self.model, self.d, self.d // self.heads
        x = m.tok(token) + m.pos(torch.tensor([self.t]))
        for i, b in enumerate(m.blocks):
            q, k, v = b.qkv(b.ln1(x)).split(d, dim=-1)
            q, k, v = (z.view(1, 1, self.heads, hd).transpose(1, 2) for z in (q, k, v))
            self.keys[i] = torch.cat([self.keys[i], k], dim=2)
            self.values[i] = torch.cat([self.values[i], v], dim=2)
            a = F.scaled_dot_product_attention(q, self.keys[i], self.values[i])
            x = x + b.proj(a.transpose(1, 2).reshape(1, 1, d))
            x = x + b.fc2(F.gelu(b.fc1(b.ln2(x))))
        self.t += 1
        return m.head(m.ln(x[:, -1]))


def generate_cache(model, count):
    cache, token, out = Cache(model), torch.zeros(1, 1, dtype=torch.long), []
    for _ in range(count):
        token = torch.multinomial(F.softmax(cache.step(token), dim=-1), 1)
        out.append(token)
    return torch.cat(out, dim=1)


def median_seconds(fn, repeats):
    fn()
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return sorted(runs)[len(runs) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    ref = load_reference(args.reference)
    print(f"torch {torch.__version__} | threads {torch.get_num_threads()} | "
          f"cpu capability {torch.backends.cpu.get_cpu_capability()}")
    with torch.inference_mode():
        made = ref.MADE().eval()
        print(f"generation made-passes {median_seconds(lambda: made.sample(100), max(1, args.repeats // 3)):.6f}")
        model = ref.CharTransformer(ctx=1024).eval()
        # the cache must give what the full recomputation gives: same logits on one sequence
        print(f"cache check: max |Δ logits| = {cache_difference(model, torch.randint(0, 65, (1, 40))):.2e}")
        for key, fn in (("transformer-no-cache", generate_no_cache), ("transformer-cache", generate_cache)):
            print(f"generation {key} {median_seconds(lambda: fn(model, 1000), args.repeats):.6f}")


def cache_difference(model, seq):
    """Largest |logit difference| between the cache and one full pass over `seq` [1, T]."""
    x = model.tok(seq) + model.pos(torch.arange(seq.shape[1]))
    for b in model.blocks:
        x = b(x)
    full = model.head(model.ln(x))
    cache = Cache(model)
    return max((cache.step(seq[:, t:t + 1]) - full[:, t]).abs().max().item() for t in range(seq.shape[1]))


if __name__ == "__main__":
    main()
