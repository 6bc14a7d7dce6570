"""The seed's interpretation findings as a check, with bootstrap intervals.

Trains ``cnn`` on the simulator twice — first-layer kernel 9 (default) and a short
one (3) — explains the same in-distribution test sequences (those with planted
sites) with every built-in explainer, scores each sequence's ``|importance|``
against the planted sites (``site_auroc``) and reports, with paired bootstrap 95%
intervals over sequences:

Ground truth: the sites of TFs that have an effect in the split's domain
(``regshift_bench.sites.site_mask``; ``--all-sites`` counts every planted site).

1. GradCAM vs ISM and vs DeepLIFT-SHAP (the seed: GradCAM ranks below both);
2. GradCAM with the long vs the short first-layer kernel (seed: worse when short);
3. gradient x input vs integrated gradients (seed: IG sometimes worse).

Optionally also the same comparisons on an OOD split of a shift (``--shift``)::

    OMP_NUM_THREADS=1 python benchmarks/explainer_findings.py --train 4000 --epochs 10 \
        --explain 60 --threads 1 --shift pwm_perturbation --cache /tmp/findings_models

Prints a table of means and the comparisons; ``--json PATH`` writes them. The
standard preset's scale is 50k training sequences and 1,000 explained ones.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from regshift_bench import get_plugin
from regshift_bench.api import SeqDataset
from regshift_bench.interpret import subsample
from regshift_bench.sites import score_sites, site_mask

EXPLAINERS = ("ism", "grad_x_input", "integrated_gradients", "deeplift_shap", "gradcam")
COMPARISONS = (  # (label, a, b): the interval is of mean(a - b) over sequences
    ("gradcam - ism", "k9/gradcam", "k9/ism"),
    ("gradcam - deeplift_shap", "k9/gradcam", "k9/deeplift_shap"),
    ("gradcam k9 - gradcam k3", "k9/gradcam", "k3/gradcam"),
    ("grad_x_input - integrated_gradients", "k9/grad_x_input", "k9/integrated_gradients"),
)


def paired_bootstrap(a: np.ndarray, b: np.ndarray, n_boot: int, rng: np.random.Generator) -> tuple[float, float, float]:
    """Mean of a - b over sequences scored by both, and its percentile 95% interval."""
    keep = ~(np.isnan(a) | np.isnan(b))
    d = a[keep] - b[keep]
    idx = rng.integers(0, len(d), size=(n_boot, len(d)))
    boots = d[idx].mean(axis=1)
    return float(d.mean()), float(np.quantile(boots, 0.025)), float(np.quantile(boots, 0.975))


def per_sequence(
    model: object, data: SeqDataset, names: tuple[str, ...], seed: int, all_sites: bool = False
) -> dict[str, tuple[np.ndarray, float]]:
    """Explainer -> (per-sequence site_auroc (n,), seconds)."""
    mask = site_mask(data, min_effect=None) if all_sites else site_mask(data)
    out = {}
    for name in names:
        explainer = get_plugin("explainer", name)
        start = time.perf_counter()
        imp = explainer.explain(model, data, rng=np.random.default_rng(seed))
        out[name] = (score_sites(imp, mask)["per_sequence"]["site_auroc"], time.perf_counter() - start)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", type=int, default=4000)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--explain", type=int, default=100, help="sequences explained per split")
    ap.add_argument("--kernels", type=int, nargs="+", default=[9, 3])
    ap.add_argument("--shift", default="", help="also explain this shift's OOD split")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--n-boot", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", default="")
    ap.add_argument("--cache", default="", help="directory keeping the trained models")
    ap.add_argument(
        "--all-sites", action="store_true", help="score against every planted site, not only those of TFs with effect"
    )
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    task = get_plugin("task", "sim")
    rng = np.random.default_rng(args.seed)
    r_train, r_val, r_test, r_sub, r_fit, r_boot = rng.spawn(6)
    cfg = task.config()
    train, val = task.sample(cfg, args.train, r_train), task.sample(cfg, args.train // 8, r_val)
    sets = {"test_id": task.sample(cfg, 2 * args.explain, r_test)}
    if args.shift:
        from regshift_bench.api import SplitSizes

        shift = get_plugin("shift", args.shift, severity=1.0)
        splits = shift.split(task, np.random.default_rng(args.seed), SplitSizes(64, 32, 2 * args.explain))
        for name, data in splits.evaluation_sets().items():
            if name.startswith("test_ood"):
                sets[f"{args.shift}/{name}"] = data
    sets = {k: subsample(v, args.explain, np.random.default_rng(args.seed)) for k, v in sets.items()}
    scores: dict[str, dict[str, np.ndarray]] = {k: {} for k in sets}
    report: dict[str, object] = {"args": vars(args), "models": {}, "means": {}, "comparisons": {}}
    for k in args.kernels:
        model = get_plugin("model", "cnn", stem_kernel=k, epochs=args.epochs)
        path = Path(args.cache) / f"cnn_k{k}_n{args.train}_e{args.epochs}_s{args.seed}.pt"
        start = time.perf_counter()
        fit_seed = int(r_fit.integers(2**31))
        if args.cache and path.exists():
            model.load(path)
        else:
            model.fit(train, val, rng=np.random.default_rng(fit_seed))
            if args.cache:
                path.parent.mkdir(parents=True, exist_ok=True)
                model.save(path)
        fit_s = time.perf_counter() - start
        pred = model.predict(sets["test_id"])
        r = float(np.corrcoef(pred.mean, sets["test_id"].y)[0, 1])
        report["models"][f"k{k}"] = {
            "fit_seconds": fit_s,
            "pearson_test_id": r,
            "report": repr(getattr(model, "report_", "")),
        }
        print(f"cnn stem_kernel={k}: fit {fit_s:.0f}s, test_id pearson {r:.3f}", flush=True)
        # ISM costs 3L+1 predictions a sequence: only the first kernel gets it.
        names = EXPLAINERS if k == args.kernels[0] else tuple(e for e in EXPLAINERS if e != "ism")
        for split, data in sets.items():
            for name, (per, secs) in per_sequence(model, data, names, args.seed, args.all_sites).items():
                scores[split][f"k{k}/{name}"] = per
                report["means"][f"{split}/k{k}/{name}"] = float(np.nanmean(per))
                print(
                    f"  {split:<32} {name:<22} site_auroc {np.nanmean(per):.3f} "
                    f"({secs:.1f}s, {len(data) / secs:.1f} seq/s)",
                    flush=True,
                )
    for split, per in scores.items():
        for label, a, b in COMPARISONS:
            if a in per and b in per:
                mean, lo, hi = paired_bootstrap(per[a], per[b], args.n_boot, r_boot)
                report["comparisons"][f"{split}: {label}"] = [mean, lo, hi]
                print(f"{split:<32} {label:<38} {mean:+.3f} [{lo:+.3f}, {hi:+.3f}]")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=2, default=str)


if __name__ == "__main__":
    main()
