#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser of outside input with libFuzzer (the Swift
# toolchain's -sanitize=fuzzer), one target after another:
#   Scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
# Targets: safetensors idx npy npz png csv config metrics text (default: all); 60 s each by
# default. Seeds come from Fuzz/Corpus/TARGET (committed); what the fuzzer learns goes to
# .build-fuzz/corpus/TARGET (not committed), crashes to .build-fuzz/crashes/TARGET. Prints
# each target's executions; exits 1 if any target crashed, hung (-timeout 10 s) or ran
# out of memory (-rss_limit_mb 2048). Reproduce a crash with the plain build:
#   swift run -c release latent-fuzz TARGET .build-fuzz/crashes/TARGET/crash-…
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"; shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(safetensors idx npy npz png csv config metrics text)
swift build -c release --product latent-fuzz --scratch-path .build-fuzz \
    -Xswiftc -sanitize=fuzzer -Xswiftc -D -Xswiftc FUZZING 2>&1 | tail -n 1
bin=.build-fuzz/release/latent-fuzz
status=0
for t in "${targets[@]}"; do
    mkdir -p ".build-fuzz/corpus/$t" ".build-fuzz/crashes/$t"
    log=".build-fuzz/$t.log"
    if LATENT_FUZZ_TARGET="$t" "$bin" ".build-fuzz/corpus/$t" "Fuzz/Corpus/$t" -max_total_time="$seconds" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=".build-fuzz/crashes/$t/" > "$log" 2>&1; then
        result="ok"
    else
        result="FAILED (see $log)"; status=1
    fi
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    echo "$t: $execs executions in $seconds s, $result"
done
exit $status
