#!/usr/bin/env bash
# Real results of the autoregressive issue (docs/Results.md).
#   Scripts/results/autoregressive.sh text DATASET   char-rnn (LSTM) and char-transformer on
#       sherlock-holmes or moby-dick, side by side on one budget: both run at once, one
#       thread each (LATENT_THREADS=1), for step counts that fit 30 minutes on the
#       2-core reference machine; test bits per character, report with samples at T 0.8 and 1.0
#   Scripts/results/autoregressive.sh made [EPOCHS]      MADE on dynamically binarised MNIST
#       (hidden 500-500): one mask, then 32 connectivity masks averaged at test time
#   Scripts/results/autoregressive.sh pixelcnn [STEPS]   Gated PixelCNN on binarised MNIST
# The made and pixelcnn experiments were run side by side, one thread each.
# Runs go to runs/results (OUT overrides); each is evaluated on the test split.
set -euo pipefail
what="${1:?text DATASET, made or pixelcnn}"
source "$(dirname "$0")/common.sh"
export LATENT_THREADS="${LATENT_THREADS:-1}"
finish() {
    /usr/bin/time -f "evaluate wall %e s" "$latent" evaluate "$out/$1" --checkpoint best
    "$latent" report "$out/$1" --checkpoint best
}
case "$what" in
text)
    dataset="${2:?dataset: sherlock-holmes or moby-dick}"
    "$latent" datasets install "$dataset"
    # one recipe for both: batch 64 rows of 64 characters, Adam with 200 warm-up steps and a
    # cosine decay, gradient norm clipped at 1, dropout 0.1, validation every 500 steps
    common=(--dataset "$dataset" --batch-size 64 --schedule cosine --warmup-steps 200 --clip-norm 1
            --validate-every 500 --seed 0 --option dropout=0.1)
    train "lstm-$dataset" char-rnn "${common[@]}" --steps "${LSTM_STEPS:-4800}" --learning-rate 2e-3 \
        --option cell=lstm --option layers=2 --option hidden=256 --option window=64 &
    train "transformer-$dataset" char-transformer "${common[@]}" --steps "${TRANSFORMER_STEPS:-3400}" \
        --learning-rate 1e-3 --option layers=4 --option heads=4 --option width=128 --option context=64 &
    wait
    finish "lstm-$dataset"
    finish "transformer-$dataset"
    ;;
made)
    epochs="${2:-120}"
    "$latent" datasets install mnist
    # hidden 500-500, Adam 10⁻³ with a cosine decay, batch 100
    common=(--dataset mnist --batch-size 100 --epochs "$epochs" --schedule cosine --validate-every 5500 --seed 0)
    train made-mnist made "${common[@]}"
    finish made-mnist
    train made-mnist-32-masks made "${common[@]}" --option masks=32
    finish made-mnist-32-masks
    ;;
pixelcnn)
    steps="${2:-4000}"
    "$latent" datasets install mnist
    train pixelcnn-mnist pixelcnn --dataset mnist --batch-size 64 --steps "$steps" --schedule cosine \
        --validate-every 1000 --seed 0
    finish pixelcnn-mnist
    ;;
*) echo "unknown experiment '$what' (text DATASET, made or pixelcnn)" >&2; exit 1 ;;
esac
