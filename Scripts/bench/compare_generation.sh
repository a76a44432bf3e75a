#!/usr/bin/env bash
# Autoregressive generation, Latent against PyTorch in one run: MADE sampling of 100 x 784
# binary pixels (Latent's incremental sampler and full passes against the reference's
# 784-pass loop) and char-Transformer generation of 1,000 tokens with and without a
# key-value cache (Scripts/bench/pytorch_generation.py builds the PyTorch side from
# ../shared/bench/pytorch_reference.py). Prints case | PyTorch s | Latent s | Latent/PyTorch.
# Environment: THREADS [2] (both sides), REPEATS [3], PYTHON [/tmp/torchenv/bin/python],
#   REFERENCE [../shared/bench/pytorch_reference.py, relative to the repository root]
set -euo pipefail
cd "$(dirname "$0")/../.."
THREADS=${THREADS:-2}
REPEATS=${REPEATS:-3}
PYTHON=${PYTHON:-/tmp/torchenv/bin/python}
REFERENCE=${REFERENCE:-../shared/bench/pytorch_reference.py}
if ! "$PYTHON" -c "import torch" 2>/dev/null; then
    echo "PyTorch not found for $PYTHON. Install it with:"
    echo "    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch numpy"
    exit 1
fi
swift build -c release --product latent-bench 2>&1 | tail -n 1
BENCH=$(swift build -c release --show-bin-path)/latent-bench
out=$(mktemp -d)
echo "== load before: $(uptime)"
"$PYTHON" -u Scripts/bench/pytorch_generation.py --reference "$REFERENCE" --threads "$THREADS" --repeats "$REPEATS" \
    | tee "$out/torch.txt"
LATENT_THREADS=$THREADS LATENT_BENCH_GENERATION_REPEATS=$REPEATS "$BENCH" generation | tee "$out/latent.txt"
echo "== load after: $(uptime)"
python3 - "$out" <<'PY'
import sys
def read(path):
    return {l.split()[1]: float(l.split()[2]) for l in open(path) if l.startswith("generation ")}
torch, latent = read(f"{sys.argv[1]}/torch.txt"), read(f"{sys.argv[1]}/latent.txt")
rows = [("MADE 1x1024, 100 x 784: Latent incremental vs PyTorch 784 passes", "made-passes", "made-incremental"),
        ("MADE 1x1024, 100 x 784: 784 full passes on both sides", "made-passes", "made-passes"),
        ("char-Transformer 1,000 tokens, key-value cache", "transformer-cache", "transformer-cache"),
        ("char-Transformer 1,000 tokens, window recomputed per token", "transformer-no-cache", "transformer-no-cache")]
print("\n| case | PyTorch s | Latent s | Latent/PyTorch |\n|---|---:|---:|---:|")
for name, t, l in rows:
    if t in torch and l in latent:
        print(f"| {name} | {torch[t]:.3f} | {latent[l]:.3f} | {latent[l] / torch[t]:.3f} |")
PY
