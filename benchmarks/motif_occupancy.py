"""How well each rung of the motif prior's quality ladder sees the simulator's planted sites.

For every simulated TF, the mean over its planted sites of the prior's occupancy at
the site: the largest ``sigmoid(score - threshold)`` over the prior matrices that
stand for that TF (the same TF read from the rung's source; every matrix on the
``decoys`` rung, which has none of the simulator's TFs), both strands, and every
window that overlaps the planted site by at least 3/4 of the narrower width. The
same statistic at random positions of background sequences (no planted sites) is the
chance level a site must stand out from.

Run::

    RSBENCH_DATA_DIR=/path/to/data OMP_NUM_THREADS=1 \\
        python benchmarks/motif_occupancy.py --n 2000 --seed 0 [--pvalue 1e-4] [--markdown]
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from regshift_bench import get_plugin
from regshift_bench.api import SeqDataset
from regshift_bench.motifs import scan
from rsbench_models.motif_panels import to_hocomoco, to_jaspar
from rsbench_models.priors import SOURCES, MotifPrior

#: A window counts for a site when it overlaps it by at least this fraction of the
#: narrower of the two widths (database matrices are aligned differently).
MIN_OVERLAP = 0.75


def _window_occupancy(occ: np.ndarray, widths: np.ndarray, start: int, width: int) -> float:
    """Largest occupancy (m_tf, P) over windows overlapping [start, start + width)."""
    best = 0.0
    for k, wk in enumerate(widths):
        need = int(np.ceil(MIN_OVERLAP * min(wk, width)))
        lo, hi = max(0, start + need - wk), min(occ.shape[1] - 1, start + width - need)
        if hi >= lo:
            best = max(best, float(occ[k, lo : hi + 1].max()))
    return best


def _matching(prior: MotifPrior, tf: str, source: str) -> np.ndarray:
    """Indices of the prior's matrices that stand for simulated TF ``tf``."""
    names = [n.upper() for n in prior.motifs_.names]
    if source == "decoys":
        return np.arange(len(names))
    want = {tf.upper(), to_hocomoco(tf).upper(), to_jaspar(to_hocomoco(tf)).upper()}
    return np.array([k for k, n in enumerate(names) if n in want], dtype=int)


def occupancy_table(
    task, data: SeqDataset, background: SeqDataset, pvalue: float, rng: np.random.Generator, trim_bits: float = 0.25
) -> dict[str, dict[str, dict[str, float]]]:
    """rung -> TF -> {"planted", "chance", "n_sites"} (means over sites / random windows)."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    sim_widths = {m.name: m.width for m in task.motif_set}
    for source in SOURCES:
        prior = MotifPrior(source=source, pvalue=pvalue, trim_bits=trim_bits).fit(data)
        widths = np.array([m.width for m in prior.motifs_])
        thr = prior.thresholds_[None, :, None]

        def occ_of(seqs: np.ndarray) -> np.ndarray:
            scores = scan(seqs, prior.motifs_, tuple(prior.background_)).max(axis=3)
            return 1.0 / (1.0 + np.exp(-(scores - thr)))  # (n, m, P); -inf -> 0

        occ, occ_bg = occ_of(data.seqs), occ_of(background.seqs)
        rows: dict[str, dict[str, float]] = {}
        for tf in task.motif_set.names:
            idx = _matching(prior, tf, source)
            sites = [(i, s.start) for i, ss in enumerate(data.meta["sites"]) for s in ss if s.tf == tf]
            w = sim_widths[tf]
            if len(idx) == 0:
                rows[tf] = {"planted": float("nan"), "chance": float("nan"), "n_sites": len(sites)}
                continue
            planted = [_window_occupancy(occ[i][idx], widths[idx], st, w) for i, st in sites]
            starts = rng.integers(0, data.seq_len - w + 1, size=len(background))
            chance = [_window_occupancy(occ_bg[i][idx], widths[idx], int(st), w) for i, st in enumerate(starts)]
            rows[tf] = {"planted": float(np.mean(planted)), "chance": float(np.mean(chance)), "n_sites": len(sites)}
        out[source] = rows
    return out


def markdown(table: dict[str, dict[str, dict[str, float]]]) -> str:
    """The table as Markdown: one row per TF, planted (chance) per rung."""
    rungs = list(table)
    lines = [
        "| TF | sites | " + " | ".join(f"{r}: planted (chance)" for r in rungs) + " |",
        "|---|---:|" + "---:|" * len(rungs),
    ]
    for tf in table[rungs[0]]:
        cells = [
            f"{table[r][tf]['planted']:.2f} ({table[r][tf]['chance']:.2f})"
            if np.isfinite(table[r][tf]["planted"])
            else "n/a"
            for r in rungs
        ]
        lines.append(f"| {tf} | {table[rungs[0]][tf]['n_sites']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="sequences with planted sites")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pvalue", type=float, default=1e-4, help="the prior's p-value threshold")
    parser.add_argument("--trim-bits", type=float, default=0.25, help="the prior's flank-trimming threshold (bits)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    task = get_plugin("task", "sim")
    rng = np.random.default_rng(args.seed)
    r_data, r_bg, r_pos = rng.spawn(3)
    config = task.config()
    data = task.sample(config, args.n, r_data)
    empty = config.changed(site_rate=(0.0,) * len(config.site_rate))
    background = task.sample(empty, args.n, r_bg)
    table = occupancy_table(task, data, background, args.pvalue, r_pos, args.trim_bits)
    if args.markdown:
        print(markdown(table))
    else:
        print(
            json.dumps(
                {"n": args.n, "seed": args.seed, "pvalue": args.pvalue, "trim_bits": args.trim_bits, "table": table},
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
