#!/bin/bash
# GPU check on a lent CUDA machine, one call: the `gpu`-marked tests, then the `full`
# preset's `none` cell for each neural model on `sim` and `mpra_hepg2` (one seed),
# timed. Prints one CSV row per cell (fit seconds, steps, stop reason, ID Pearson).
#   bash benchmarks/gpu_check.sh OUTDIR [RUNDIR]
# Needs the project installed (`pip install --no-deps --no-build-isolation -e .`)
# and RSBENCH_DATA_DIR for mpra_hepg2 (skipped without it).
set -u
out=${1:-gpu_check}
run=${2:-$out/run}
mkdir -p "$out"
export PYTHONUNBUFFERED=1
python -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name() if torch.cuda.is_available() else '')"
timeout 150 python -m pytest -q -m gpu -p no:cacheprovider tests/test_gpu.py 2>&1 | tee "$out/gpu_tests.log" | tail -5
summarise() {
python - "$run" <<'PY'
import sys
from regshift_bench import results
f = results.read_results(sys.argv[1])
f = f[(f.metric == "pearson") & (f.split == "test_id") & (f["shift"] == "none")]
cols = ["task", "model", "seed", "device", "fit_seconds", "predict_seconds", "epochs_run",
        "train_steps", "best_epoch", "stopped_by", "value"]
print(f[cols].rename(columns={"value": "pearson_test_id"}).to_csv(index=False), end="")
PY
}
tasks=(sim)
[ -n "${RSBENCH_DATA_DIR:-}" ] && tasks+=(mpra_hepg2)
for task in "${tasks[@]}"; do
  for model in cnn bilstm transformer; do
    start=$(date +%s.%N)
    timeout 90 rsbench run --task "$task" --preset full --model "$model" --shift none --seeds 1 --merge \
      --device cuda --out "$run" > "$out/run_${task}_${model}.log" 2>&1
    echo "$task $model rc=$? wall=$(python -c "print(round($(date +%s.%N) - $start, 1))") s"
    summarise > "$out/full_gpu.csv"  # after every cell: a later timeout loses nothing
  done
done
cat "$out/full_gpu.csv"
