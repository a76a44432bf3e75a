#!/usr/bin/env bash
# Compare Latent with PyTorch on the reference models of ../shared/bench/pytorch_reference.py
# (the shared folder beside the repository).
#
# Builds latent-bench in release, then runs the PyTorch script and `latent-bench models`
# alternately (torch, latent, torch, latent, ...: ALTERNATIONS times each) so that both see
# the same machine state, and prints: model | PyTorch median ms | Latent median ms |
# Latent/PyTorch (< 1: Latent faster). Each side's figure is the median over all its
# invocations of the per-invocation medians.
#
# Environment (defaults in brackets):
#   ALTERNATIONS [2]  torch/latent pairs      ROUNDS [2]  rounds per invocation
#   STEPS [10]        timed steps per round   WARMUP [3]  untimed steps per model
#   SAMPLE_STEPS [4]  timed sampling calls per round (MADE: max(2, this/4); ~1-3 s each)
#   ONLY              comma-separated keys: vae,iwae,realnvp,made,dcgan,lstm,transformer
#   THREADS [2]       PyTorch threads          PYTHON [/tmp/torchenv/bin/python]
#   REFERENCE [../shared/bench/pytorch_reference.py, relative to the repository root]
#   PINGPONG [/tmp/cpu_pingpong]  vCPU placement probe (built here from cpu_pingpong.c if missing)
#   OUT [/tmp/latent_compare]     where the raw outputs go
set -euo pipefail
cd "$(dirname "$0")/../.."

ALTERNATIONS=${ALTERNATIONS:-2}
ROUNDS=${ROUNDS:-2}
STEPS=${STEPS:-10}
WARMUP=${WARMUP:-3}
SAMPLE_STEPS=${SAMPLE_STEPS:-4}
ONLY=${ONLY:-}
THREADS=${THREADS:-2}
PYTHON=${PYTHON:-/tmp/torchenv/bin/python}
REFERENCE=${REFERENCE:-../shared/bench/pytorch_reference.py}
export PINGPONG=${PINGPONG:-/tmp/cpu_pingpong}
OUT=${OUT:-/tmp/latent_compare}

if ! "$PYTHON" -c "import torch" 2>/dev/null; then
    echo "PyTorch not found for $PYTHON. Install it with:"
    echo "    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch numpy"
    exit 1
fi
if [ ! -x "$PINGPONG" ] && [ -f "$(dirname "$REFERENCE")/cpu_pingpong.c" ]; then
    gcc -O2 -pthread -o "$PINGPONG" "$(dirname "$REFERENCE")/cpu_pingpong.c" || true
fi

echo "== building latent-bench (release)"
if ! swift build -c release --product latent-bench > /tmp/latent_bench_build.log 2>&1; then
    grep -E "error" -A3 /tmp/latent_bench_build.log | head -40
    exit 1
fi
tail -1 /tmp/latent_bench_build.log
BENCH=$(swift build -c release --show-bin-path)/latent-bench

mkdir -p "$OUT"
rm -f "$OUT"/torch_*.txt "$OUT"/latent_*.txt
echo "== load before: $(uptime)"
for i in $(seq 1 "$ALTERNATIONS"); do
    echo "== [$i/$ALTERNATIONS] PyTorch ($THREADS threads)"
    "$PYTHON" -u "$REFERENCE" --threads "$THREADS" --rounds "$ROUNDS" --steps "$STEPS" --warmup "$WARMUP" \
        --sample-steps "$SAMPLE_STEPS" ${ONLY:+--only "$ONLY"} > "$OUT/torch_$i.txt"
    echo "== [$i/$ALTERNATIONS] Latent"
    LATENT_BENCH_ROUNDS=$ROUNDS LATENT_BENCH_STEPS=$STEPS LATENT_BENCH_WARMUP=$WARMUP \
        LATENT_BENCH_SAMPLE_STEPS=$SAMPLE_STEPS LATENT_BENCH_ONLY=$ONLY "$BENCH" models > "$OUT/latent_$i.txt"
done
echo "== load after: $(uptime)"
echo

python3 - "$OUT" "$ALTERNATIONS" <<'PY'
import re, statistics, sys
out, n = sys.argv[1], int(sys.argv[2])
TRAIN = [("VAE (MLP", "vae", "VAE (MLP, z=32) B=128"), ("IWAE", "iwae", "IWAE k=10 B=128"),
         ("RealNVP 8", "realnvp", "RealNVP 8 coupling B=128"), ("MADE 1x1024", "made", "MADE 1x1024 B=128"),
         ("DCGAN", "dcgan", "DCGAN-small D+G step B=64"), ("Char-LSTM", "lstm", "char-LSTM h=256 T=64 B=32"),
         ("Char-Transformer", "transformer", "char-Transformer 4L d128 T=128 B=32")]
SAMPLE = [("VAE decode", "vae", "VAE decode 1000"), ("RealNVP sample", "realnvp", "RealNVP inverse 1000"),
          ("MADE sample", "made", "MADE sample 100 (784 passes)")]

def torch_medians(path):
    res = {}
    for line in open(path):
        for table, rows in (("train", TRAIN), ("sample", SAMPLE)):
            for prefix, key, _ in rows:
                if line.startswith(prefix):
                    f = line[37:].split()
                    res[(table, key)] = float(f[1] if table == "train" else f[0])
    return res

def latent_medians(path):
    res, table = {}, None
    for line in open(path):
        if line.startswith("training step"): table = "train"
        elif line.startswith("sampling"): table = "sample"
        elif line.startswith("| ") and table and not line.startswith(("| key", "| ---")):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            res[(table, cells[0])] = float(cells[2])
    return res

torch = [torch_medians(f"{out}/torch_{i}.txt") for i in range(1, n + 1)]
latent = [latent_medians(f"{out}/latent_{i}.txt") for i in range(1, n + 1)]
def med(runs, k):
    xs = [r[k] for r in runs if k in r]
    return statistics.median(xs) if xs else None
print("| model | PyTorch median ms | Latent median ms | Latent/PyTorch |")
print("| --- | ---: | ---: | ---: |")
for table, rows in (("train", TRAIN), ("sample", SAMPLE)):
    for _, key, name in rows:
        t, l = med(torch, (table, key)), med(latent, (table, key))
        if t is None and l is None: continue
        label = name if table == "train" else "sampling: " + name
        fmt = lambda x: "–" if x is None else f"{x:.2f}"
        ratio = f"{l / t:.2f}" if t and l else "–"
        print(f"| {label} | {fmt(t)} | {fmt(l)} | {ratio} |")
print()
print(f"medians of per-invocation medians over {n} alternating invocations each; raw output in {out}")
PY
