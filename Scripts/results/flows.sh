#!/usr/bin/env bash
# Real results of the flows issue (docs/Results.md).
#   Scripts/results/flows.sh toy      NSF on the seven embedded 2-D densities: test NLL, the
#                                     true NLL of the sampler, the gap, and the integral of
#                                     the learned density on a grid (latent evaluate)
#   Scripts/results/flows.sh digits   MAF and NSF on the 64-d digits (test NLL, bits/dim)
#   Scripts/results/flows.sh mnist [STEPS]
#                                     RealNVP (8 affine couplings, MLP conditioners 512-512,
#                                     the architecture of the PyTorch reference benchmark) on
#                                     uniformly dequantised MNIST: test bits/dim
#   Scripts/results/flows.sh glow [EPOCHS]
#                                     multi-scale Glow (2 levels x 4 steps, 64 hidden
#                                     channels) on dequantised MNIST: test bits/dim
# Runs go to runs/results. Times on the 2-core reference machine: docs/Results.md.
set -euo pipefail
what="${1:?toy, digits, mnist or glow}"
source "$(dirname "$0")/common.sh"
case "$what" in
toy)
    for density in two-moons circles 8gaussians checkerboard pinwheel 2spirals swissroll; do
        train "nsf-$density" nsf --dataset "$density" --steps 5000 --batch-size 512 --schedule cosine \
            --option layers=6 --option bins=32 --option bound=5 --seed 0 --validate-every 1000
        "$latent" evaluate "$out/nsf-$density" --checkpoint best
        "$latent" report "$out/nsf-$density" --checkpoint best
    done ;;
digits)
    for model in maf nsf; do
        train "$model-digits" "$model" --dataset digits --epochs 300 --batch-size 64 --schedule cosine \
            --option layers=5 --option hidden=256,256 --seed 0 --validate-every 1000000
        "$latent" evaluate "$out/$model-digits" --checkpoint latest
    done ;;
mnist)
    steps="${2:-12000}"
    train realnvp-mnist realnvp --dataset mnist --steps "$steps" --batch-size 128 --schedule cosine --warmup-steps 200 \
        --option layers=8 --option hidden=512,512 --seed 0 --validate-every 4000 --eval-batch-size 500
    /usr/bin/time -f "evaluate wall %e s" "$latent" evaluate "$out/realnvp-mnist" --checkpoint latest ;;
glow)
    epochs="${2:-3}"
    train glow-mnist glow --dataset mnist --epochs "$epochs" --batch-size 64 --schedule cosine --warmup-steps 200 \
        --seed 0 --validate-every 1000
    /usr/bin/time -f "evaluate wall %e s" "$latent" evaluate "$out/glow-mnist" --checkpoint latest ;;
*) echo "unknown experiment '$what' (toy, digits, mnist or glow)" >&2; exit 1 ;;
esac
