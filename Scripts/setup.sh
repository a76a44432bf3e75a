#!/usr/bin/env bash
# Installs Latent's system dependencies. Safe to run repeatedly; does nothing when present.
#  - zlib headers (zlib1g-dev): required to build LatentData (gzip, NPZ, PNG).
#  - OpenBLAS (libopenblas0-pthread): optional, found at run time; without it Latent falls
#    back to its own GEMM.
#  - Python's safetensors and numpy: used by tests that open files written by Latent with
#    the reference implementations (skipped without them).
set -euo pipefail

if command -v python3 >/dev/null 2>&1 && ! python3 -c "import safetensors.numpy, numpy" >/dev/null 2>&1; then
    echo "setup: installing the Python packages safetensors and numpy"
    python3 -m pip install --quiet safetensors numpy >/dev/null 2>&1 \
        || python3 -m pip install --quiet --user safetensors numpy >/dev/null 2>&1 \
        || echo "setup: could not install safetensors for python3; the interop tests will be skipped" >&2
fi
have_openblas() {
    ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so\.0' || ls /usr/lib/*/libopenblas.so.0 >/dev/null 2>&1
}
have_zlib_headers() {
    # macOS ships zlib in its SDK.
    [ "$(uname)" = Darwin ] || [ -f /usr/include/zlib.h ] || [ -n "$(find /usr/include -maxdepth 2 -name zlib.h -print -quit 2>/dev/null)" ]
}
missing=()
have_zlib_headers || missing+=(zlib1g-dev)
have_openblas || missing+=(libopenblas0-pthread)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq >/dev/null
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
    if ! have_zlib_headers; then
        echo "setup: zlib headers not found and cannot be installed here; install zlib (e.g. zlib1g-dev) to build LatentData" >&2
        exit 1
    fi
    echo "setup: OpenBLAS not found and cannot be installed here; Latent will use its pure-Swift GEMM" >&2
fi
