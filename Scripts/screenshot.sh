#!/usr/bin/env bash
# A PNG screenshot of a run's report in headless Chromium (Debian: apt-get install chromium):
#   Scripts/screenshot.sh RUN_FOLDER OUTPUT.png [WIDTHxHEIGHT]     (default 1200x2600)
# docs/images/main-job-report.png is `Scripts/screenshot.sh runs/digits-cvae docs/images/main-job-report.png`
# after Scripts/main-job.sh.
set -euo pipefail
run="${1:?run folder}"; out="${2:?output PNG}"; size="${3:-1200x2600}"
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "screenshot: no Chromium found (apt-get install chromium)" >&2; exit 1; }
[ -f "$run/report.html" ] || { echo "screenshot: $run/report.html does not exist (run latent report $run)" >&2; exit 1; }
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="${size/x/,}" \
    --screenshot="$(realpath -m "$out")" "file://$(realpath "$run/report.html")" 2>/dev/null
echo "wrote $out"
