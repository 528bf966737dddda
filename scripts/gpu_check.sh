#!/usr/bin/env bash
# On a machine with a CUDA GPU: time `gdevo bench` and the function-fit simulation on the GPU.
# About 5 minutes. Writes its outputs under "$OUT" when set (else ./gpu-check).
# Usage: bash scripts/gpu_check.sh   (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
[ -x "$PY" ] || PY=python
DEST="${OUT:-gpu-check}"
mkdir -p "$DEST"
export GDEVO_RENDERS="$DEST/renders" GDEVO_CACHE="$DEST/cache"
"$PY" -c 'import torch; assert torch.cuda.is_available(), "no CUDA device"; print(torch.cuda.get_device_name(0))' \
  | tee "$DEST/device.txt"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv >> "$DEST/device.txt" 2>/dev/null || true
{ time timeout 150 "$PY" -m gdevo bench --device cuda --repeats 5; } > "$DEST/bench.txt" 2>&1 || echo "bench failed (rc $?)" >> "$DEST/bench.txt"
# one seed: 2 × 150,001 launch-bound gradient steps fit the time; the 3-seed preset takes ~3× as long
{ time timeout 240 "$PY" -m gdevo sim function-fit --device cuda --force --set seeds=1; } > "$DEST/sim.txt" 2>&1 || echo "sim failed (rc $?)" >> "$DEST/sim.txt"
tail -n 40 "$DEST/bench.txt" "$DEST/sim.txt"
