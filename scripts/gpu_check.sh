#!/usr/bin/env bash
# The GPU checks, as one short script (about 6 minutes; 9 at most): on a machine with a CUDA GPU,
#  1. `gdevo bench --device cuda` (batched evolution round vs the naive loop; recording overhead),
#  2. image-fit-video: the video's scale, 512² portrait, 23.6k-parameter skip MLP, population 1000 (1 seed;
#     measured on an H200: evolution 2048 rounds in 40 s, each gradient run 32,032 steps in ~130 s).
# function-fit-video is left out: its 1,741-parameter gradient steps are launch-bound on a GPU
# (measured 2.6 ms/step on an H200 machine vs 0.4 ms on one CPU core), so run it on a CPU instead.
# Outputs (logs, reports, the traces) go under "$OUT" when set, else ./gpu-check.
# Usage: bash scripts/gpu_check.sh   (from the repository root; PY=python3 to choose the interpreter)
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3
DEST="${OUT:-gpu-check}"
mkdir -p "$DEST"
export GDEVO_RENDERS="$DEST/renders" GDEVO_CACHE="$DEST/cache" PYTHONUNBUFFERED=1
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
  "$PY" -c 'import torch; print("torch", torch.__version__, torch.cuda.get_device_name(0))'; } > "$DEST/device.txt" 2>&1
step() {  # step NAME SECONDS COMMAND...: run with a time limit, log to $DEST/NAME.txt
  local name=$1 limit=$2; shift 2
  local start=$(date +%s)
  timeout "$limit" "$@" > "$DEST/$name.txt" 2>&1; local rc=$?
  echo "$name: exit $rc in $(( $(date +%s) - start )) s" | tee -a "$DEST/summary.txt"
}
step bench 90 "$PY" -m gdevo bench --device cuda --repeats 2 --steps 200 --every 50 --naive-children 20
step image-fit-video 420 "$PY" -m gdevo sim image-fit-video --set seeds=1
step report 30 "$PY" -m gdevo report image-fit-video --set seeds=1
cp "$DEST"/cache/*.npz "$DEST"/cache/*.timing.json "$DEST/" 2>/dev/null
rm -rf "$DEST/cache"
cat "$DEST/summary.txt"
