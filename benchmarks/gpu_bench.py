"""GPU benchmark: harness vs bare PyTorch throughput, utilisation, memory, a grid slice.

One run prints, and writes to ``--out`` as JSON:

1. per neural model (default sizes): sequences/s of ``fit`` through the shared
   trainer and of a bare PyTorch loop doing the same steps on the same resident
   tensors (same network, batch size and autocast), and their ratio (goal
   harness/bare <= 1.10); sequences/s of ``predict`` (MC dropout, both strands) and
   of ``predict_mean`` against bare forward passes of the same rows; peak GPU memory;
   GPU utilisation sampled by ``nvidia-smi`` in a thread while each model ran;
2. the wall time of a fixed slice of the ``full`` grid (``--slice-*``: tasks, models,
   seeds; every shift), its sampled utilisation, and a projection for the whole
   ``full`` grid: each cell of the full plan is costed at the mean measured time of
   cells with the same (task, model, shift); cells of pairs the slice did not run are
   counted and left out of the projection.

``--device cpu --tiny`` runs the same code in about two minutes on a CPU (small
models, the ``smoke`` preset) to check the script itself::

    python benchmarks/gpu_bench.py --device cuda --out gpu_bench_out --workers 2
    python benchmarks/gpu_bench.py --device cpu --tiny --out /tmp/gpu_bench_tiny
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from regshift_bench import get_plugin
from regshift_bench import plan as planning
from regshift_bench.api import Budget, SeqDataset
from rsbench_models import trainer
from rsbench_models.heads import gaussian_nll

FULL_MODELS = {"cnn": {}, "bilstm": {}, "transformer": {}}
TINY_MODELS = {
    "cnn": dict(channels=16, n_blocks=2),
    "bilstm": dict(channels=8, hidden=8),
    "transformer": dict(d_model=16, layers=1, heads=2),
}


class UtilSampler(threading.Thread):
    """Polls ``nvidia-smi`` every ``interval`` s: (time, GPU util %, memory used MiB)."""

    def __init__(self, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.interval, self.samples = interval, []
        self.available = shutil.which("nvidia-smi") is not None
        self._stop = threading.Event()

    def run(self) -> None:
        cmd = ["nvidia-smi", "--query-gpu=utilization.gpu,memory.used", "--format=csv,noheader,nounits"]
        while self.available and not self._stop.is_set():
            try:
                line = subprocess.run(cmd, capture_output=True, text=True, timeout=5).stdout
                util, mem = (float(v) for v in line.splitlines()[0].split(","))
                self.samples.append((time.perf_counter(), util, mem))
            except (OSError, ValueError, IndexError, subprocess.SubprocessError):
                pass
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()

    def summary(self, start: float, end: float) -> dict[str, Any]:
        """Utilisation between two ``perf_counter`` times (None fields without samples)."""
        util = np.array([u for t, u, _ in self.samples if start <= t <= end])
        if not len(util):
            return {"util_mean": None, "util_busy_frac": None, "util_samples": 0}
        return {
            "util_mean": round(float(util.mean()), 1),
            "util_busy_frac": round(float((util > 70).mean()), 3),
            "util_samples": int(len(util)),
        }


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def random_data(n: int, length: int, seed: int) -> SeqDataset:
    """Random sequences with a GC-driven signal (content does not change speed)."""
    rng = np.random.default_rng(seed)
    seqs = rng.integers(0, 4, size=(n, length), dtype=np.uint8)
    gc = ((seqs == 1) | (seqs == 2)).mean(1)
    return SeqDataset(seqs, (4 * gc + rng.normal(0, 0.3, n)).astype(np.float32))


def bare_fit(
    net: torch.nn.Module, train: SeqDataset, steps: int, batch: int, lr: float, device: torch.device, precision: str
) -> float:
    """Seconds of ``steps`` plain AdamW steps on resident one-hot tensors."""
    x = torch.as_tensor(train.onehot(), device=device)
    mask = torch.ones(len(train), 1, train.seq_len, device=device)
    y = torch.as_tensor((train.y - train.y.mean()) / train.y.std(), device=device)
    opt = torch.optim.AdamW(net.parameters(), lr=lr)
    net.train()
    sync(device)
    start = time.perf_counter()
    for step in range(steps):
        idx = torch.randint(0, len(train), (batch,), device=device)
        with trainer.autocast(device, precision):
            mean, logvar = net(x[idx], mask[idx], None)
        loss = gaussian_nll(mean.float(), logvar.float(), y[idx], floor=1e-3)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    sync(device)
    return time.perf_counter() - start


@torch.no_grad()
def bare_predict(
    net: torch.nn.Module, test: SeqDataset, rows_per_seq: int, batch: int, device: torch.device, precision: str
) -> float:
    """Seconds of eval forward passes over ``rows_per_seq`` rows per test sequence."""
    x = torch.as_tensor(test.onehot(), device=device)
    mask = torch.ones(len(test), 1, test.seq_len, device=device)
    net.eval()
    chunk = max(1, batch // rows_per_seq)
    sync(device)
    start = time.perf_counter()
    for lo in range(0, len(test), chunk):
        xb = x[lo : lo + chunk].repeat(rows_per_seq, 1, 1)
        with trainer.autocast(device, precision):
            net(xb, mask[lo : lo + chunk].repeat(rows_per_seq, 1, 1), None)
    sync(device)
    return time.perf_counter() - start


def timed(fn: Callable[[], Any], device: torch.device) -> float:
    sync(device)
    start = time.perf_counter()
    fn()
    sync(device)
    return time.perf_counter() - start


def bench_model(
    name: str, params: dict[str, Any], data: tuple[SeqDataset, ...], args: argparse.Namespace, sampler: UtilSampler
) -> dict[str, Any]:
    """One model's row: harness and bare sequences/s for fit and predict, memory, util."""
    train, val, test = data
    dev = torch.device(args.device)

    def make() -> Any:
        return get_plugin("model", name, **params, epochs=args.epochs, patience=args.epochs + 1)

    warm = make()  # first CUDA / cuDNN calls initialise lazily: not timed
    warm.fit(
        train.subset(np.arange(min(256, len(train)))),
        val,
        rng=np.random.default_rng(1),
        device=args.device,
        budget=Budget(max_steps=3),
    )
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
    model, start = make(), time.perf_counter()
    fit_s = timed(
        lambda: model.fit(
            train, val, rng=np.random.default_rng(0), device=args.device, budget=Budget(max_epochs=args.epochs)
        ),
        dev,
    )
    steps, batch = model.fit_report_.train_steps, int(model.batch_size)
    with trainer.seeded(0, dev):
        net = model.build(0).to(dev)
    bare_s = bare_fit(net, train, steps, batch, float(model.lr), dev, str(model.precision))
    rows = 2 * max(1, int(model.mc_dropout))
    pred_s = timed(lambda: model.predict(test, device=args.device), dev)
    bare_pred_s = bare_predict(model.net_, test, rows, 512 * 2, dev, str(model.precision))
    mean_s = timed(lambda: model.predict_mean(test, device=args.device), dev)
    bare_mean_s = bare_predict(model.net_, test, 2, 512 * 2, dev, str(model.precision))
    seqs = steps * batch
    row = {
        "model": name,
        "params": model.params_json(),
        "train_steps": steps,
        "batch": batch,
        "fit_seqs_s": seqs / fit_s,
        "bare_fit_seqs_s": seqs / bare_s,
        "fit_ratio": fit_s / bare_s,
        "predict_seqs_s": len(test) / pred_s,
        "bare_predict_seqs_s": len(test) / bare_pred_s,
        "predict_ratio": pred_s / bare_pred_s,
        "predict_mean_seqs_s": len(test) / mean_s,
        "predict_mean_ratio": mean_s / bare_mean_s,
        "peak_mem_mib": (torch.cuda.max_memory_allocated(dev) / 2**20 if dev.type == "cuda" else None),
    }
    row.update(sampler.summary(start, time.perf_counter()))
    return row


def _cell_seconds(outcomes: list[Any], cells: dict[str, Any]) -> dict[tuple[str, str, str], float]:
    """Mean measured seconds per (task, model, shift@severity) of the slice's cells."""
    by: dict[tuple[str, str, str], list[float]] = {}
    for o in outcomes:
        c = cells[o.cell]
        by.setdefault((c.task, c.model, f"{c.shift}@{c.severity:g}"), []).append(o.seconds)
    return {k: float(np.mean(v)) for k, v in by.items()}


def project(
    full: planning.Plan, costs: dict[tuple[str, str, str], float], slice_wall: float, slice_cost: float
) -> dict[str, Any]:
    """Projected wall seconds of ``full`` from the slice's per-cell costs.

    The slice's own parallel efficiency carries over: projection = slice wall x
    (summed cell cost of the full plan) / (summed cell cost of the slice).
    """
    covered, missing, pairs = 0.0, 0, set()
    for c in full.cells:
        cost = costs.get((c.task, c.model, f"{c.shift}@{c.severity:g}"))
        if cost is None:
            missing += 1
            pairs.add((c.task, c.model))
        else:
            covered += cost
    seconds = slice_wall * covered / slice_cost if slice_cost > 0 else None
    return {
        "full_cells": len(full.cells),
        "full_cells_covered": len(full.cells) - missing,
        "projected_seconds_covered": seconds,
        "uncovered_task_models": sorted(f"{t}/{m}" for t, m in pairs),
    }


def run_slice(sl: planning.Plan, run_dir: Path, args: argparse.Namespace) -> tuple[list[Any], float, float]:
    """Run the slice, stopped after ``--slice-budget`` s: (outcomes, start, wall seconds).

    The budget interrupts the run like Ctrl-C (finished cells are kept on disk); the
    projection then uses the cells finished so far.
    """
    import _thread

    from regshift_bench.execute import RunInterrupted, run_plan

    outcomes: list[Any] = []
    timer = threading.Timer(args.slice_budget, _thread.interrupt_main) if args.slice_budget else None
    start = time.perf_counter()
    if timer:
        timer.start()
    try:
        run_plan(
            sl,
            run_dir,
            device=args.device,
            workers=args.workers,
            overwrite=True,
            on_outcome=lambda cell, outcome: outcomes.append(outcome),
        )
    except KeyboardInterrupt as exc:  # the budget (RunInterrupted once inside run_plan)
        print(
            f"grid slice stopped by --slice-budget {args.slice_budget:g} s: "
            f"{exc if isinstance(exc, RunInterrupted) else 'before its first cell'}",
            flush=True,
        )
    finally:
        if timer:
            timer.cancel()
    return outcomes, start, time.perf_counter() - start


def grid_slice(args: argparse.Namespace, sampler: UtilSampler) -> dict[str, Any]:
    """Run the slice into ``--out/run`` and project the whole grid of the preset."""
    from regshift_bench.availability import runnable_suites

    tasks_ = [t for t in args.slice_tasks.split(",") if t]
    suites, skipped = runnable_suites(planning.select_suites(False, tasks_, []))
    models = [m for m in args.slice_models.split(",") if m]
    shifts = [s for s in args.slice_shifts.split(",") if s]
    sl = planning.expand(suites, args.preset, models=models, shifts=shifts, seeds=args.slice_seeds)
    outcomes, start, wall = run_slice(sl, Path(args.out) / "run", args)
    cells = {c.cell: c for c in sl.cells}
    costs = _cell_seconds(outcomes, cells)
    slice_cost = sum(
        costs[(cells[o.cell].task, cells[o.cell].model, f"{cells[o.cell].shift}@{cells[o.cell].severity:g}")]
        for o in outcomes
    )
    everything, _ = runnable_suites(planning.select_suites(True, [], []))
    full = planning.expand(everything, args.preset)
    out = {
        "preset": args.preset,
        "slice_tasks": sorted({c.task for c in sl.cells}),
        "skipped_suites": [g.line() for g in skipped],
        "slice_models": models,
        "slice_seeds": args.slice_seeds,
        "slice_shifts": args.slice_shifts or "all",
        "workers": args.workers,
        "slice_cells": len(sl.cells),
        "slice_cells_done": len(outcomes),
        "slice_failed": sum(o.status == "failed" or bool(o.failed_rows) for o in outcomes),
        "slice_wall_s": wall,
        **sampler.summary(start, start + wall),
        **project(full, costs, wall, slice_cost),
    }
    return out


def _fmt(value: Any, spec: str = "") -> str:
    return "n/a" if value is None else format(value, spec)


def print_models(env: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """The per-model table (GitHub Markdown, as pasted into docs/gpu.md)."""
    from tabulate import tabulate

    print(
        f"device: {env['device_name']} ({env['device']}); torch {env['torch']}; "
        f"{env['cpu_count']} CPU cores; precision {env['precision']}"
    )
    cols = [
        ("model", "model"),
        ("fit seq/s", "fit_seqs_s"),
        ("bare fit seq/s", "bare_fit_seqs_s"),
        ("fit harness/bare", "fit_ratio"),
        ("predict seq/s", "predict_seqs_s"),
        ("bare predict seq/s", "bare_predict_seqs_s"),
        ("predict harness/bare", "predict_ratio"),
        ("predict_mean seq/s", "predict_mean_seqs_s"),
        ("predict_mean harness/bare", "predict_mean_ratio"),
        ("peak MiB", "peak_mem_mib"),
        ("GPU util % (mean)", "util_mean"),
        ("util > 70 %", "util_busy_frac"),
    ]
    table = [[r.get(k) for _, k in cols] for r in rows]
    print(
        tabulate(table, headers=[h for h, _ in cols], floatfmt=".3g", missingval="n/a", tablefmt="github"), flush=True
    )


def print_grid(grid: dict[str, Any]) -> None:
    """The grid slice's wall time and utilisation, and the projection."""
    proj = grid["projected_seconds_covered"]
    print(
        f"\ngrid slice ({grid['preset']}): tasks {', '.join(grid['slice_tasks'])}; models "
        f"{', '.join(grid['slice_models'])}; {grid['slice_seeds']} seed(s); shifts "
        f"{grid['slice_shifts']}; {grid['workers']} worker(s): {grid['slice_cells_done']} of "
        f"{grid['slice_cells']} cells ({grid['slice_failed']} failed) in {grid['slice_wall_s']:.1f} s; GPU util mean "
        f"{_fmt(grid['util_mean'])} %, > 70 % in {_fmt(grid['util_busy_frac'])} of "
        f"{grid['util_samples']} samples"
    )
    print(
        f"projection for the whole {grid['preset']} grid: "
        f"{'n/a' if proj is None else f'{proj:.0f} s ({proj / 60:.1f} min)'} for "
        f"{grid['full_cells_covered']} of {grid['full_cells']} cells; not measured: "
        f"{', '.join(grid['uncovered_task_models']) or 'none'}",
        flush=True,
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cuda", help="cuda | cuda:N | cpu")
    ap.add_argument("--tiny", action="store_true", help="small models, smoke preset (a CPU check)")
    ap.add_argument("--out", default="gpu_bench_out", help="folder for bench.json and the run")
    ap.add_argument("--models", default="cnn,bilstm,transformer")
    ap.add_argument("--n-train", type=int, default=None, help="default 20000 (tiny 512)")
    ap.add_argument("--n-test", type=int, default=None, help="default 8192 (tiny 256)")
    ap.add_argument("--length", type=int, default=None, help="default 200 (tiny 60)")
    ap.add_argument("--epochs", type=int, default=None, help="default 2 (tiny 1)")
    ap.add_argument("--preset", default=None, help="grid preset: default full (tiny smoke)")
    ap.add_argument(
        "--slice-tasks", default="sim,mpra_hepg2", help="tasks of the grid slice (those without data are skipped)"
    )
    ap.add_argument("--slice-models", default=None, help="models of the slice (default cnn,kmer_ridge; tiny mean,cnn)")
    ap.add_argument("--slice-shifts", default="", help="shifts of the slice, comma-separated (default: every shift)")
    ap.add_argument("--slice-seeds", type=int, default=1)
    ap.add_argument("--workers", type=int, default=1, help="process pool of the grid slice")
    ap.add_argument(
        "--slice-budget",
        type=float,
        default=None,
        help="stop the slice after this many seconds and project from the cells finished (default 240; tiny: none)",
    )
    ap.add_argument("--no-grid", action="store_true", help="skip the grid slice")
    args = ap.parse_args(argv)
    tiny = args.tiny
    for key, full, small in (
        ("n_train", 20000, 512),
        ("n_test", 8192, 256),
        ("length", 200, 60),
        ("epochs", 2, 1),
        ("preset", "full", "smoke"),
        ("slice_models", "cnn,kmer_ridge", "mean,cnn"),
        ("slice_budget", 240.0, None),
    ):
        if getattr(args, key) is None:
            setattr(args, key, small if tiny else full)
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    dev = torch.device(args.device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: torch sees no CUDA device; use --device cpu --tiny")
    Path(args.out).mkdir(parents=True, exist_ok=True)
    env = {
        "device": args.device,
        "torch": torch.__version__,
        "cpu_count": os.cpu_count(),
        "device_name": (
            torch.cuda.get_device_name(dev) if dev.type == "cuda" else platform.processor() or platform.machine()
        ),
        "precision": "bf16 autocast" if dev.type == "cuda" else "fp32",
        "args": vars(args),
    }
    sampler = UtilSampler()
    sampler.start()
    data = (
        random_data(args.n_train, args.length, 0),
        random_data(256, args.length, 1),
        random_data(args.n_test, args.length, 2),
    )
    arch = TINY_MODELS if args.tiny else FULL_MODELS
    rows = [bench_model(m, arch[m], data, args, sampler) for m in args.models.split(",") if m]
    report: dict[str, Any] = {"env": env, "models": rows, "grid": None}
    out = Path(args.out) / "bench.json"
    out.write_text(json.dumps(report, indent=2, default=str))  # survives a cut-short slice
    print_models(env, rows)
    if not args.no_grid:
        report["grid"] = grid_slice(args, sampler)
        out.write_text(json.dumps(report, indent=2, default=str))
        print_grid(report["grid"])
    sampler.stop()
    return report


if __name__ == "__main__":
    main()
