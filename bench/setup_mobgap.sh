#!/usr/bin/env bash
# Create bench/.venv-mobgap (git-ignored) with mobgap 1.2.0 for bench/compare_mobgap.py, and unpack mobgap's
# example data from its sdist so that it loads offline.
#
# Why a separate venv: mobgap pulls numba, scikit-learn, matplotlib, tpcp and pins its own ranges; the product's
# .venv must not depend on them. Why the sdist: the mobgap wheel ships only a sha256 registry of its example data
# and downloads the files from GitHub at run time (no internet here); the sdist carries example_data/ (all 9 lab
# trials, including MS/001 which ../shared/data/dev/mobgap_lab lacks). pooch looks in $MOBGAP_DATA_DIR/v1.2.0/.
#
# Usage: bench/setup_mobgap.sh            (idempotent; re-run to repair)
set -euo pipefail

MOBGAP_VERSION=1.2.0
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$BENCH_DIR")"
VENV="$BENCH_DIR/.venv-mobgap"
DATA_DIR="$BENCH_DIR/out/mobgap_data"
SDIST_DIR="$BENCH_DIR/out/sdist"

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q "mobgap==$MOBGAP_VERSION"
# our own packages, without dependencies: mobgap's resolver already chose numpy/scipy/pandas
"$VENV/bin/pip" install -q --no-deps -e "$REPO_DIR"

if [ ! -f "$DATA_DIR/v$MOBGAP_VERSION/data/lab/MS/001/data.mat" ]; then
    mkdir -p "$SDIST_DIR" "$DATA_DIR"
    "$VENV/bin/pip" download -q --no-deps --no-binary :all: "mobgap==$MOBGAP_VERSION" -d "$SDIST_DIR"
    tmp="$(mktemp -d "$DATA_DIR/.unpack.XXXXXX")"
    tar xzf "$SDIST_DIR/mobgap-$MOBGAP_VERSION.tar.gz" -C "$tmp" "mobgap-$MOBGAP_VERSION/example_data"
    rm -rf "$DATA_DIR/v$MOBGAP_VERSION"
    mv "$tmp/mobgap-$MOBGAP_VERSION/example_data" "$DATA_DIR/v$MOBGAP_VERSION"
    rm -rf "$tmp"
fi

# every file must match the sha256 registry that ships in the mobgap wheel
registry="$("$VENV/bin/python" -c 'import importlib.resources as r; print(r.files("mobgap") / "data/_example_data_registry.txt")')"
(cd "$DATA_DIR/v$MOBGAP_VERSION" && sed 's/^\(.*\) \([0-9a-f]*\)$/\2  \1/' "$registry" | sha256sum -c --quiet -)

echo "mobgap $MOBGAP_VERSION ready in $VENV; example data in $DATA_DIR/v$MOBGAP_VERSION (checked against its registry)"
echo "run: $VENV/bin/python -m bench.compare_mobgap   (from $REPO_DIR)"
