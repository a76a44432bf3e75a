#!/usr/bin/env bash
# Real results of the VAE issue (docs/Results.md): an MLP VAE (784-512-256-32, Bernoulli
# decoder, dynamic binarisation) trained on MNIST or Fashion-MNIST, and VAE vs IWAE (K=50)
# after the same number of epochs. Test NLL is importance-sampled on the 10,000 test
# images: K=5000 for the long run, K=1000 (COMPARE_K) for the comparison runs.
#   Scripts/results/vae-binarized.sh mnist|fashion-mnist [EPOCHS] [COMPARE_EPOCHS] [OUT]
# Defaults: 150 epochs for mnist, 50 for fashion-mnist; 5 comparison epochs (docs/Results.md
# used 2 for fashion-mnist); runs/results.
# Times on the 2-core reference machine: see docs/Results.md.
set -euo pipefail
dataset="${1:?dataset: mnist or fashion-mnist}"
case "$dataset" in mnist) default_epochs=150 ;; *) default_epochs=50 ;; esac
epochs="${2:-$default_epochs}"
compare="${3:-5}"
out="${4:-runs/results}"
compare_k="${COMPARE_K:-1000}"
source "$(dirname "$0")/common.sh"
"$latent" datasets install "$dataset"
common=(--dataset "$dataset" --batch-size 128 --seed 1 --option eval-samples=100)

# 1. The long VAE run (cosine learning-rate decay to 0), then K=5000 on the test set.
run="$out/$dataset-vae"
rm -rf "$run"
/usr/bin/time -f "train wall %e s" "$latent" train vae "${common[@]}" --epochs "$epochs" --schedule cosine \
    --validate-every 21450 --output "$run"
/usr/bin/time -f "evaluate wall %e s" "$latent" evaluate "$run" --checkpoint latest --option eval-samples=5000

# 2. VAE and IWAE (K=50) after the same number of epochs (constant learning rate).
for model in vae iwae; do
    run="$out/$dataset-$model-$compare-epochs"
    rm -rf "$run"
    extra=()
    [ "$model" = iwae ] && extra=(--option samples=50)
    /usr/bin/time -f "train wall %e s" "$latent" train "$model" "${common[@]}" "${extra[@]}" --epochs "$compare" \
        --validate-every 1000000 --output "$run"
    /usr/bin/time -f "evaluate wall %e s" "$latent" evaluate "$run" --checkpoint latest --option "eval-samples=$compare_k"
done
