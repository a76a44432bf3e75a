# Shared preamble of the Scripts/results/*.sh experiments (sourced, not run): installs what
# the tests need, builds latent in release and defines
#   $latent              the binary
#   $out                 the folder of the runs (OUT, default runs/results; created)
#   train NAME ARGS...   `latent train ARGS --output $out/NAME` from scratch, timed
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out="${out:-${OUT:-runs/results}}"
bash Scripts/setup.sh
swift build -c release --product latent 2>&1 | tail -n 1
latent=".build/release/latent"
mkdir -p "$out"
train() { local run="$out/$1"; shift; rm -rf "$run"; /usr/bin/time -f "train wall %e s" "$latent" train "$@" --output "$run"; }
