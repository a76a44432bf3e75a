#!/usr/bin/env bash
# Latent's main job: install what is missing, build, train a VAE on the embedded 8x8
# digits, evaluate it and write an HTML report. No download; about a minute on 2 cores.
#   Scripts/main-job.sh [RUN_FOLDER]      (default runs/digits-vae; replaced if present)
set -euo pipefail
cd "$(dirname "$0")/.."
run="${1:-runs/digits-vae}"
bash Scripts/setup.sh
swift build -c release --product latent 2>&1 | tail -n 1
latent=".build/release/latent"
rm -rf "$run"
"$latent" train vae --dataset digits --epochs 20 --batch-size 64 --option eval-samples=200 --output "$run"
"$latent" evaluate "$run"
"$latent" sample "$run" --count 64 --output "$run/samples.png"
"$latent" report "$run"
echo "report: $run/report.html"
