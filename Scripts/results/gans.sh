#!/usr/bin/env bash
# Real results of the GAN issue (docs/Results.md).
#   Scripts/results/gans.sh classifiers   the feature classifiers of mnist and fashion-mnist
#                                         (latent classifier train; cached in the data store)
#   Scripts/results/gans.sh toy           MLP GANs on 8gaussians and 25gaussians: a
#                                         non-saturating baseline beside regularised runs
#   Scripts/results/gans.sh mnist [STEPS] DCGAN on MNIST with three losses on one budget:
#                                         non-saturating, WGAN-GP, hinge + spectral norm
#   Scripts/results/gans.sh fashion [STEPS]  DCGAN (non-saturating) on Fashion-MNIST
#   Scripts/results/gans.sh cgan [STEPS]  class-conditional GAN on MNIST: per-class accuracy
# Runs go to runs/results; every image run is evaluated on the test split with 10,000
# samples (FD, precision, recall, density, coverage, Inception-score analogue).
set -euo pipefail
what="${1:?classifiers, toy, mnist, fashion or cgan}"
steps="${2:-3000}"
source "$(dirname "$0")/common.sh"
finish() {
    /usr/bin/time -f "evaluate wall %e s" "$latent" evaluate "$out/$1" --checkpoint best
    "$latent" report "$out/$1" --checkpoint best
}
classifier() { "$latent" classifier show "$1" >/dev/null 2>&1 || "$latent" classifier train --dataset "$1"; }
# DCGAN defaults: width 64, noise 64, batch 64, an EMA of the generator (decay 0.999)
# for evaluation and sampling, validation (FD on 5,000 validation images) every 500 steps.
dcgan() {
    local name="$1" model="$2" dataset="$3"; shift 3
    train "$name" "$model" --dataset "$dataset" --steps "$steps" --batch-size 64 --average generator=0.999 \
        --validate-every 500 --seed 0 "$@"
    finish "$name"
}
case "$what" in
classifiers)
    for d in mnist fashion-mnist; do "$latent" datasets install "$d"; "$latent" classifier train --dataset "$d" --force; done ;;
toy)
    # the ring: non-saturating, then with R1 (hidden 128-128, 6,000 steps of 256)
    train gan-ns-8gaussians gan --dataset 8gaussians --steps 6000 --batch-size 256 --option hidden=128,128 \
        --validate-every 1000 --seed 0
    finish gan-ns-8gaussians
    train gan-r1-8gaussians gan --dataset 8gaussians --steps 6000 --batch-size 256 --option hidden=128,128 \
        --option r1=1 --validate-every 1000 --seed 0
    finish gan-r1-8gaussians
    # the grid: the non-saturating baseline (collapses), then R1 with a cosine schedule and an EMA
    train gan-ns-25gaussians gan --dataset 25gaussians --steps 20000 --batch-size 256 --option hidden=256,256,256 \
        --learning-rate 1e-4 --validate-every 2000 --seed 0
    finish gan-ns-25gaussians
    train gan-r1-25gaussians gan --dataset 25gaussians --steps 30000 --batch-size 512 --option hidden=256,256,256 \
        --option r1=1 --learning-rate 4e-4 --schedule cosine --average generator=0.999 --validate-every 3000 --seed 0
    finish gan-r1-25gaussians ;;
mnist)
    classifier mnist
    dcgan dcgan-ns-mnist dcgan mnist
    dcgan dcgan-wgangp-mnist dcgan mnist --option loss=wgan-gp --option n-critic=5
    dcgan dcgan-hinge-sn-mnist dcgan mnist --option loss=hinge --option spectral-norm=true ;;
fashion)
    classifier fashion-mnist
    dcgan dcgan-ns-fashion dcgan fashion-mnist ;;
cgan)
    classifier mnist
    dcgan cgan-mnist cgan mnist ;;
*) echo "unknown experiment '$what' (classifiers, toy, mnist, fashion or cgan)" >&2; exit 1 ;;
esac
