"""What the motif prior's features are worth: ``prior_ridge`` r on the simulator, per setting.

A ridge on the prior's features alone (plus GC) is fitted on source-domain sequences
and scored on fresh ones; its Pearson r says how much of the activity the features
carry. Occupancy at the planted sites (``motif_occupancy.py``) measures sensitivity
only; this measures sensitivity and specificity together, because a permissive
threshold adds chance hits over the whole sequence to every summed feature.

Run::

    RSBENCH_DATA_DIR=/path/to/data OMP_NUM_THREADS=1 \\
        python benchmarks/motif_prior_value.py --train 2000 --test 1000 --seed 0 [--markdown]
"""

from __future__ import annotations

import argparse

import numpy as np

from regshift_bench import get_plugin
from regshift_bench.paths import data_dir
from rsbench_models.priors import MotifPrior

#: Label -> MotifPrior parameters compared (the defaults first).
SETTINGS = {
    "database, defaults (pvalue 1e-4, trim 0.25)": {},
    "database, pvalue 1e-3": {"pvalue": 1e-3},
    "database, pvalue 0.02, trim 0.5": {"pvalue": 0.02, "trim_bits": 0.5},
    "database, fixed margin 4 nats, untrimmed": {"margin": 4.0, "trim_bits": 0.0},
    "oracle, defaults": {"source": "oracle"},
    "decoys, defaults": {"source": "decoys"},
}


def prior_value(n_train: int, n_test: int, seed: int) -> dict[str, float]:
    """Pearson r of ``prior_ridge`` on ``n_test`` fresh sequences, per setting."""
    task = get_plugin("task", "sim")
    cfg = task.config()
    train = task.sample(cfg, n_train, np.random.default_rng([seed, 1]))
    test = task.sample(cfg, n_test, np.random.default_rng([seed, 2]))
    out = {}
    for label, params in SETTINGS.items():
        model = get_plugin("model", "prior_ridge", prior=MotifPrior(**params))
        model.fit(train, train, rng=np.random.default_rng(seed))
        out[label] = float(np.corrcoef(model.predict(test).mean, test.y)[0, 1])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=2000)
    parser.add_argument("--test", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    values = prior_value(args.train, args.test, args.seed)
    found = data_dir(required=False)
    has_data = found is not None and (found / "motifs").is_dir()
    print(f"motif databases: {found / 'motifs' if has_data else 'none (the built-in motif set)'}")
    if args.markdown:
        print("| prior setting | prior_ridge r |\n|---|---:|")
    for label, r in values.items():
        print(f"| {label} | {r:.3f} |" if args.markdown else f"{label:<48} r {r:.3f}")


if __name__ == "__main__":
    main()
