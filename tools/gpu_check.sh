#!/usr/bin/env bash
# The GPU check in one command (issue 18): `bash tools/gpu_check.sh` on a CUDA machine with no
# network, from the checkout with .device/ (made here by `make gpu-wheels`) beside it.
# `--dry-run` runs every stage on the CPU with tiny sizes. The report: $OUT/gpu-check.json when
# OUT is set, else .device/gpu-check.json. Everything is over within 8 minutes (480 s): the
# stages share a 450 s budget, and this wrapper stops the lot at 480 s whatever happens (the
# report is rewritten after each stage, so what was measured stays).
set -u
cd "$(dirname "$0")/.." || exit 2
PY="${PYTHON:-python3}"
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
exec timeout -k 10 480 "$PY" -m nnlab.bench.gpu_check "$@"
