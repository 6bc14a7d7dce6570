#!/bin/bash
# The GPU benchmark in one command, on a CUDA machine without network:
#   bash benchmarks/gpu_bench.sh [OUTDIR] [extra benchmarks/gpu_bench.py options]
# Installs the checkout (no dependencies fetched), names the GPU, runs the gpu-marked
# precision and worker tests, then benchmarks/gpu_bench.py: per-model harness vs bare
# PyTorch throughput, GPU utilisation, peak memory, and a `full` grid slice with its
# projection for the whole grid. Everything printed also lands in OUTDIR (bench.txt,
# bench.json). MPRA tasks need the data: RSBENCH_DATA_DIR, or a copy of the data
# directory at ./gpu_data in the checkout (carried with the working tree).
set -u
out=${1:-${OUT:-gpu_bench_out}}
shift || true
mkdir -p "$out"
export PYTHONUNBUFFERED=1
if [ -z "${RSBENCH_DATA_DIR:-}" ] && [ -d gpu_data ]; then
  export RSBENCH_DATA_DIR=$PWD/gpu_data
fi
pip install -q --no-deps --no-build-isolation -e . > "$out/install.log" 2>&1 || tail -5 "$out/install.log"
{
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
  python -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())"
  echo "RSBENCH_DATA_DIR=${RSBENCH_DATA_DIR:-unset}"
  timeout 120 python -m pytest -q -m gpu -p no:cacheprovider tests/test_gpu_precision.py \
    tests/test_gpu_workers.py 2>&1 | tail -3
  timeout "${BENCH_TIMEOUT:-430}" python benchmarks/gpu_bench.py --device cuda --out "$out" \
    --workers "${WORKERS:-2}" "$@" 2>&1
  echo "gpu_bench exit $?"
} | tee "$out/bench.txt"
