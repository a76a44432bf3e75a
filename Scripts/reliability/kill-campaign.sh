#!/usr/bin/env bash
# Kill -9 campaign (slow; not part of CI): trains a run straight through, then trains it
# again while killing the process with SIGKILL at random moments N times (resuming after
# each kill), and checks that the resumed run ends with the same metrics log (reproducible
# fields) and the same final checkpoint tensors as the uninterrupted one, bit for bit.
#
#   Scripts/reliability/kill-campaign.sh                 # 20 kills of a 4,000-step digits VAE
#   N=50 MODEL=gan DATASET=8gaussians STEPS=2000 Scripts/reliability/kill-campaign.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-20}
MODEL=${MODEL:-vae}
DATASET=${DATASET:-digits}
STEPS=${STEPS:-4000}
EXTRA=${EXTRA:---batch-size 32 --validate-every 25 --checkpoint-every 10 --log-every 5 --option eval-samples=20}
OUT=${OUT:-/tmp/latent-kill-campaign}
swift build -c release --product latent 2>&1 | tail -n 1
latent="$PWD/.build/release/latent"
rm -rf "$OUT"; mkdir -p "$OUT"
# shellcheck disable=SC2086
"$latent" train "$MODEL" --dataset "$DATASET" --steps "$STEPS" $EXTRA --output "$OUT/straight" > "$OUT/straight.log" 2>&1
# shellcheck disable=SC2086
"$latent" train "$MODEL" --dataset "$DATASET" --steps "$STEPS" $EXTRA --output "$OUT/killed" > "$OUT/killed.log" 2>&1 &
pid=$!
kills=0
while [ "$kills" -lt "$N" ]; do
    sleep "0.$(( (RANDOM % 9) + 1 ))$(( RANDOM % 10 ))"
    if kill -0 "$pid" 2>/dev/null; then
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        kills=$((kills + 1))
    else
        wait "$pid" 2>/dev/null || true
        break   # finished before the next kill
    fi
    "$latent" train --resume --output "$OUT/killed" >> "$OUT/killed.log" 2>&1 &
    pid=$!
done
wait "$pid" || true
# Finish whatever is left (the last kill may have landed after the final save).
"$latent" train --resume --output "$OUT/killed" >> "$OUT/killed.log" 2>&1 || true
python3 - "$OUT" "$kills" <<'PY'
import json, sys, struct
out, kills = sys.argv[1], sys.argv[2]
def records(run):
    rows = []
    for line in open(f"{out}/{run}/metrics.jsonl"):
        r = json.loads(line)
        for k in ("time", "items-per-second"):
            r.pop(k, None)
        rows.append(json.dumps(r, sort_keys=True))
    return rows
def tensors(run):
    data = open(f"{out}/{run}/checkpoints/latest.safetensors", "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    return {k: data[8 + n + v["data_offsets"][0]: 8 + n + v["data_offsets"][1]] for k, v in header.items()}
a, b = records("straight"), records("killed")
same_log, same_weights = a == b, tensors("straight") == tensors("killed")
print(f"kills: {kills}; metrics lines: {len(a)} straight, {len(b)} killed-and-resumed; identical log: {same_log}; identical final checkpoint tensors: {same_weights}")
sys.exit(0 if same_log and same_weights else 1)
PY
