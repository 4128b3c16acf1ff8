#!/usr/bin/env bash
# The wheel works: build it, install it (not editable) into a fresh venv, and run the three headless
# commands where no dataset is visible (HOME and NNLAB_DATA_DIR empty, the system dataset masked)
# and there is no network, so the sample shipped inside the package is what trains.
# The fresh venv borrows torch & co. from .venv's site-packages (a second 5 GB torch install would
# cost minutes); nnlab itself comes only from the wheel, and the check asserts that.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.venv/bin/python -m pip wheel -q --no-deps --no-build-isolation -w "$work/dist" . 2>&1 | grep -v '^WARNING: Location' || true
wheel=$(ls "$work"/dist/nnlab-*.whl)
python3 -m venv "$work/venv"
site=$("$work/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
deps=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$deps" > "$site/zz-nnlab-deps.pth"   # a plain path: .pth files inside it (the editable finder) are not run
"$work/venv/bin/python" -m pip install -q --no-deps --no-index "$wheel" 2>&1 | grep -v '^WARNING: Location' || true
mkdir -p "$work/home" "$work/data" "$work/empty" "$work/cwd"
cat > "$work/inside.sh" <<INSIDE
set -euo pipefail
if [ -d /usr/share/datasets/fashion-mnist ]; then mount --bind "$work/empty" /usr/share/datasets/fashion-mnist; fi
cd "$work/cwd"
export HOME="$work/home" XDG_CACHE_HOME="$work/home/.cache" PYTHONNOUSERSITE=1
py="$work/venv/bin/python"
"\$py" -c 'import nnlab, sys; p = nnlab.__file__; print("nnlab from", p); sys.exit(0 if p.startswith("$work/venv/") else 1)'
"\$py" -c 'from nnlab.train.data import SAMPLE_DIR; import sys; print("sample in the wheel:", SAMPLE_DIR, SAMPLE_DIR.is_dir()); sys.exit(0 if SAMPLE_DIR.is_dir() and str(SAMPLE_DIR).startswith("$work/venv/") else 1)'
# an explicit data directory without the files is an error (one line, non-zero exit), never a silent fall-back
set +e; NNLAB_DATA_DIR="$work/data" "$work/venv/bin/nnlab" train --headless --epochs 1 --device cpu 2> err.txt; code=\$?; set -e
[ "\$code" != 0 ] && [ "\$(wc -l < err.txt)" = 1 ] || { cat err.txt; echo "wheel check: NNLAB_DATA_DIR=empty gave exit \$code"; exit 1; }
"$work/venv/bin/nnlab" train --headless --epochs 1 --device cpu > train.out
grep -q "SAMPLE" train.out || { cat train.out; echo "wheel check: the run did not use the shipped sample"; exit 1; }
grep -q "Done!" train.out || { cat train.out; echo "wheel check: training did not finish"; exit 1; }
"$work/venv/bin/nnlab" backprop --json | "\$py" -c 'import json, sys; d = json.load(sys.stdin); assert d["gradients"] and d["steps"]'
"$work/venv/bin/nnlab" anatomy --json | "\$py" -c 'import json, sys; d = json.load(sys.stdin); assert d["layers"]'
echo "wheel check: train, backprop --json and anatomy --json ran from the wheel on its own sample, offline"
INSIDE
# -m: a private mount namespace (the mask is seen by nothing else); -n: no network at all
unshare -m -n --propagation private bash "$work/inside.sh"
