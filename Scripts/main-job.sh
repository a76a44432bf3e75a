#!/usr/bin/env bash
# Latent's main job: install what is missing, build, then on the embedded 8x8 digits (no
# download) train a class-conditional VAE, measure it, and write an HTML report.
#   Scripts/main-job.sh [RUN_FOLDER]      (default runs/digits-cvae; replaced if present)
# Steps: a small digit classifier (cached in the data store; trained the first time only)
# that later judges the samples; the conditional VAE (latent 16, 256-128 MLPs, 150 epochs,
# cosine learning rate); `latent evaluate` on the 360 test
# images with 1,000 samples scored by the classifier (test NLL in nats, and how often the
# classifier recognises the digit each sample was drawn for); a grid of samples with one
# row per digit; the report (curves, samples by class, reconstructions, metrics). About 12 s
# after the build on 2 idle cores.
set -euo pipefail
cd "$(dirname "$0")/.."
run="${1:-runs/digits-cvae}"
bash Scripts/setup.sh
swift build -c release --product latent 2>&1 | tail -n 1
latent=".build/release/latent"
"$latent" classifier show digits >/dev/null 2>&1 || "$latent" classifier train --dataset digits --epochs 30 --shift 1
rm -rf "$run"
"$latent" train cvae --dataset digits --epochs 150 --batch-size 64 --learning-rate 2e-3 --schedule cosine \
    --option latent-dimension=16 --option hidden=256,128 --option eval-samples=200 --validate-every 950 --output "$run"
"$latent" evaluate "$run" --sample-quality 1000
"$latent" report "$run" --samples 100
echo "report: $run/report.html"
