"""Learning curves: in-distribution Pearson r against training size and optimizer steps.

Two sweeps per task (source domain, the ``none`` shift's split):

* **size**: nested training sets of each size (a fixed permutation's first n rows;
  validation and test sets fixed), each model trained with the given budget
  (default: the ``quick`` preset's ``min_steps`` / ``max_steps``, early stopping on);
* **steps**: at one training size, neural models trained on a one-cycle schedule of
  exactly S planned steps (``Budget(min_steps=S, max_steps=S)``; early stopping may
  still end sooner).

Prints one Markdown table per sweep (mean test_id Pearson over seeds; fit wall and
CPU seconds and the stop reasons in the CSV; on a loaded machine CPU seconds at one
thread are the better cost measure) and writes every fit to a CSV::

    python benchmarks/learning_curves.py --tasks sim mpra_hepg2 \\
        --models cnn bilstm transformer kmer_ridge cnn+gc --sizes 1000 2000 4000 8000 16000 \\
        --steps 100 200 400 800 --steps-size 4000 --seeds 0 1 --threads 2 \\
        --out learning_curves.csv

Real tasks need ``RSBENCH_DATA_DIR``; sizes beyond a task's training pool are skipped.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path
from typing import Any

import numpy as np

import regshift_bench
from regshift_bench.api import Budget, SeqDataset, SplitSizes, fit_report

BASELINES = ("kmer_ridge", "gc_linear", "mean", "prior_ridge")  # no optimizer steps


def source_parts(
    task_name: str, n_train: int, n_val: int, n_test: int, seed: int
) -> tuple[SeqDataset, SeqDataset, SeqDataset]:
    """The ``none`` split of ``task_name`` (train capped at ``n_train``) for ``seed``."""
    task = regshift_bench.get_plugin("task", task_name)
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
    splits = regshift_bench.get_plugin("shift", "none").split(task, rng, SplitSizes(n_train, n_val, n_test))
    return splits.train, splits.val, splits.test_id


def fit_once(
    model_name: str, train: SeqDataset, val: SeqDataset, test: SeqDataset, budget: Budget, seed: int
) -> dict[str, Any]:
    """Fit one model, return test Pearson, fit seconds and the fit diagnostics."""
    model = regshift_bench.get_plugin("model", model_name)
    start, cpu = time.perf_counter(), time.process_time()
    model.fit(train, val, rng=np.random.default_rng(seed), budget=budget)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    pred = model.predict(test)
    report = fit_report(model)
    row: dict[str, Any] = {
        "pearson": float(np.corrcoef(pred.mean, test.y)[0, 1]),
        "fit_seconds": round(seconds, 2),
        "fit_cpu_seconds": round(cpu, 2),
    }
    cols = report.columns() if report else {}
    for key in ("epochs_run", "train_steps", "best_epoch", "stopped_by", "undertrained"):
        row[key] = cols.get(key, "")
    return row


FIELDS = [
    "task",
    "sweep",
    "model",
    "seed",
    "n_train",
    "steps_budget",
    "pearson",
    "fit_seconds",
    "fit_cpu_seconds",
    "epochs_run",
    "train_steps",
    "best_epoch",
    "stopped_by",
    "undertrained",
]


class Rows(list):  # type: ignore[type-arg]
    """Rows that are also appended to the CSV at once, so a killed run keeps its fits."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.fh = open(path, "w", newline="")
        self.writer = csv.DictWriter(self.fh, fieldnames=FIELDS)
        self.writer.writeheader()

    def append(self, row: dict[str, Any]) -> None:  # type: ignore[override]
        super().append(row)
        self.writer.writerow(row)
        self.fh.flush()
        print(row, flush=True)


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    budget = Budget(min_steps=args.min_steps, max_steps=args.max_steps)
    rows = Rows(args.out)
    for task_name in args.tasks:
        for seed in args.seeds:
            top = max([*args.sizes, args.steps_size])
            train, val, test = source_parts(task_name, top, args.val, args.test, seed)
            order = np.random.default_rng(seed).permutation(len(train))
            for size in args.sizes:
                if size > len(train):
                    print(f"# {task_name}: size {size} skipped (pool has {len(train)})")
                    continue
                sub = train.subset(np.sort(order[:size]))
                for model in args.models:
                    row = fit_once(model, sub, val, test, budget, seed)
                    rows.append(
                        {
                            "task": task_name,
                            "sweep": "size",
                            "model": model,
                            "seed": seed,
                            "n_train": size,
                            "steps_budget": "",
                            **row,
                        }
                    )
            size = min(args.steps_size, len(train))
            sub = train.subset(np.sort(order[:size]))
            for steps in args.steps:
                for model in args.steps_models or [m for m in args.models if m not in BASELINES]:
                    row = fit_once(model, sub, val, test, Budget(min_steps=steps, max_steps=steps), seed)
                    rows.append(
                        {
                            "task": task_name,
                            "sweep": "steps",
                            "model": model,
                            "seed": seed,
                            "n_train": size,
                            "steps_budget": steps,
                            **row,
                        }
                    )
    return rows


def markdown(rows: list[dict[str, Any]], sweep: str, column: str) -> str:
    """Mean Pearson over seeds: one row per (task, model), one column per ``column`` value."""
    picked = [r for r in rows if r["sweep"] == sweep]
    if not picked:
        return ""
    values = sorted({r[column] for r in picked})
    lines = [f"| task | model | {' | '.join(str(v) for v in values)} |", "| --- | --- |" + " --- |" * len(values)]
    for task in dict.fromkeys(r["task"] for r in picked):
        for model in dict.fromkeys(r["model"] for r in picked if r["task"] == task):
            cells = []
            for v in values:
                got = [r for r in picked if r["task"] == task and r["model"] == model and r[column] == v]
                if not got:
                    cells.append("")
                    continue
                mean = np.mean([r["pearson"] for r in got])
                mark = "†" if any(r["undertrained"] is True for r in got) else ""
                cells.append(f"{mean:.3f}{mark}")
            lines.append(f"| {task} | {model} | {' | '.join(cells)} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", nargs="+", default=["sim", "mpra_hepg2"])
    ap.add_argument("--models", nargs="+", default=["cnn", "bilstm", "transformer", "kmer_ridge", "cnn+gc"])
    ap.add_argument("--sizes", nargs="*", type=int, default=[1000, 2000, 4000, 8000, 16000])
    ap.add_argument("--steps", nargs="*", type=int, default=[100, 200, 400, 800])
    ap.add_argument("--steps-size", type=int, default=4000)
    ap.add_argument(
        "--steps-models",
        nargs="*",
        default=None,
        help="models of the steps sweep (default: every non-baseline of --models)",
    )
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    ap.add_argument("--val", type=int, default=1000)
    ap.add_argument("--test", type=int, default=2000)
    ap.add_argument("--min-steps", type=int, default=250, help="size sweep's Budget.min_steps")
    ap.add_argument("--max-steps", type=int, default=1500, help="size sweep's Budget.max_steps")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("learning_curves.csv"))
    args = ap.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    rows = run(args)
    print(
        f"\nPearson r (test_id) by training size (min_steps {args.min_steps}, "
        f"max_steps {args.max_steps}; † = undertrained):\n"
    )
    print(markdown(rows, "size", "n_train"))
    print(f"\nPearson r (test_id) by optimizer steps ({args.steps_size} training sequences):\n")
    print(markdown(rows, "steps", "steps_budget"))
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
