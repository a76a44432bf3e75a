#!/usr/bin/env bash
# Installs Latent's optional dependencies: OpenBLAS (found at run time; without it
# Latent falls back to its own GEMM), and Python's `safetensors` and `numpy` packages
# (used by a test that opens files written by Latent with the reference implementation).
# Safe to run repeatedly; does nothing when present.
set -euo pipefail

if command -v python3 >/dev/null 2>&1 && ! python3 -c "import safetensors.numpy, numpy" >/dev/null 2>&1; then
    echo "setup: installing the Python packages safetensors and numpy"
    python3 -m pip install --quiet safetensors numpy >/dev/null 2>&1 \
        || python3 -m pip install --quiet --user safetensors numpy >/dev/null 2>&1 \
        || echo "setup: could not install safetensors for python3; the interop test will be skipped" >&2
fi
have_openblas() {
    ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so\.0' || ls /usr/lib/*/libopenblas.so.0 >/dev/null 2>&1
}
if have_openblas; then
    exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "setup: installing libopenblas0-pthread"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas0-pthread >/dev/null
elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq >/dev/null
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas0-pthread >/dev/null
else
    echo "setup: OpenBLAS not found and cannot be installed here; Latent will use its pure-Swift GEMM" >&2
fi
