"""The Interventions and Coverage-under-shift tables of a task.

Intervention rows (``intervention`` other than ``none``; :mod:`regshift_bench.intervene`)
are kept out of every other table: the loader drops them
(:func:`regshift_bench.leaderboard.load.model_view`), and this module reads them straight from each run's
per-cell results and predictions.

Columns: ``ID`` (the ``none`` shift's ``test_id``), then one column per shift kind
recorded (each shift at its largest severity, every OOD split), banded as *input*
shifts (covariate, selection: ``p(x)`` moves) or *label* shifts (mechanism,
measurement: ``p(y | x)`` moves).

* **Interventions**: each intervention's paired difference against ``none`` for
  the same model, seed, condition and examples (a ``test_time`` intervention that
  held labelled examples out is compared on the remaining ones). Main line:
  Δ coverage gap ``|cov₉₀ − 0.9|`` (negative: closer to nominal); second line:
  Δ Pearson r. Intervals are percentile bootstraps that resample examples within
  each (condition, seed) and average the differences over them (seed-aware).
* **Coverage under shift**: mean coverage of the 90% interval over seeds and
  conditions, with the normalised width and the worst-group coverage below.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from regshift_bench import results as rs
from regshift_bench.leaderboard.load import NO_INTERVENTION as NONE
from regshift_bench.leaderboard.load import RunSet
from regshift_bench.leaderboard.tables import COLLAPSE_MARGIN, Cell, Table, fmt

#: Shift kinds in column order, each with its family (the header band).
FAMILIES = {"covariate": "input", "selection": "input", "mechanism": "label", "measurement": "label"}
_KEY = ["task", "shift", "severity", "model", "seed", "intervention", "split", "metric"]
LEVEL = 0.9
_Z90 = 1.6448536269514722


def read_rows(run_dirs: list[Path]) -> pd.DataFrame:
    """Model result rows of every run (all interventions, ``none`` included), status ok.

    A later run wins for the same cell key, split and metric; ``src`` indexes the run.
    """
    parts = []
    for src, run_dir in enumerate(run_dirs):
        frame = rs.read_results(run_dir)
        if frame.empty:
            continue
        frame["intervention"] = frame["intervention"].fillna(NONE)
        keep = (frame["explainer"].fillna("") == "") & (frame["reference"].fillna("") == "") & (frame["status"] == "ok")
        parts.append(frame.loc[keep].assign(src=src))
    if not parts:
        return pd.DataFrame(columns=[*_KEY, "value", "cell", "shift_kind", "src"])
    rows = pd.concat(parts, ignore_index=True)
    rows["shift_kind"] = rows["shift_kind"].fillna("")
    return rows.sort_values("src", kind="stable").drop_duplicates(_KEY, keep="last")


Family = Callable[[str, str], str]


def kind_family(shift: str, kind: str) -> str:
    """``input`` or ``label`` from the shift kind alone (when nothing else is declared)."""
    return FAMILIES.get(kind, "label")


def units_of(rows: pd.DataFrame, task: str, family: Family = kind_family) -> pd.DataFrame:
    """One row per (model, intervention, seed, shift, severity, split) scored, with its
    column (``ID`` or a shift kind), family (``ID``, ``input``, ``label``) and cell
    hash; each shift at its largest severity."""
    part = rows.loc[rows["task"] == task].drop_duplicates(
        ["model", "intervention", "seed", "shift", "severity", "split"]
    )
    is_id = (part["shift"] == NONE) & (part["split"] == "test_id")
    top = part.loc[part["shift"] != NONE].groupby("shift")["severity"].max()
    is_ood = (
        (part["shift"] != NONE)
        & part["split"].str.startswith("test_ood")
        & (part["severity"] == part["shift"].map(top))
    )
    units = part.loc[is_id | is_ood].copy()
    units["column"] = np.where(units["shift"] == NONE, "ID", units["shift_kind"].replace("", "other"))
    units["family"] = ["ID" if sh == NONE else family(sh, k) for sh, k in zip(units["shift"], units["shift_kind"])]
    return units[["model", "intervention", "seed", "shift", "severity", "split", "column", "family", "cell", "src"]]


def _columns(units: pd.DataFrame) -> list[str]:
    present = set(units["column"])
    kinds = [k for k in FAMILIES if k in present] + sorted(present - set(FAMILIES) - {"ID"})
    return (["ID"] if "ID" in present else []) + kinds


def _band(units: pd.DataFrame, column: str) -> str:
    return "/".join(sorted(set(units.loc[units["column"] == column, "family"])))


# -- paired differences ------------------------------------------------------------------
def _coverage_gap(y: np.ndarray, mean: np.ndarray, var: np.ndarray) -> np.ndarray:
    """|coverage − 0.9| along the last axis."""
    return np.abs((np.abs(y - mean) <= _Z90 * np.sqrt(var)).mean(axis=-1) - LEVEL)


def _pearson(y: np.ndarray, mean: np.ndarray, var: np.ndarray) -> np.ndarray:
    """Pearson r of y and mean along the last axis (NaN when either is constant)."""
    yc = y - y.mean(axis=-1, keepdims=True)
    mc = mean - mean.mean(axis=-1, keepdims=True)
    den = np.sqrt((yc * yc).sum(axis=-1) * (mc * mc).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (yc * mc).sum(axis=-1) / den, np.nan)


STATS = {"gap": _coverage_gap, "r": _pearson}


def paired_units(
    units: pd.DataFrame, runs: RunSet, model: str, intervention: str, cache: dict[tuple[int, str, str], pd.DataFrame]
) -> list[tuple[Any, ...]]:
    """(seed, y, mean_iv, var_iv, mean_none, var_none) per unit of ``units`` of one model
    and intervention, on the examples both its cell and the ``none`` cell scored."""
    ref = units.loc[(units["intervention"] == NONE) & (units["model"] == model)].set_index(
        ["seed", "shift", "severity", "split"]
    )
    out = []
    for u in units.loc[(units["intervention"] == intervention) & (units["model"] == model)].itertuples():
        key = (u.seed, u.shift, u.severity, u.split)
        if key in ref.index:
            got = _paired(runs, u, ref.loc[key], u.split, cache)
            if got is not None:
                out.append((int(u.seed), *got))
    return out


def estimate(
    pairs: list[tuple[Any, ...]], fn: Callable[..., np.ndarray], *, n_boot: int, rng: np.random.Generator
) -> tuple[float, np.ndarray, int]:
    """Mean over units of ``fn(y, m_iv, v_iv, m_none, v_none)`` and its bootstrap samples.

    Examples are resampled within each unit (both predictions on the same indices);
    the resampled unit values are averaged over units. Returns the point value, the
    (n_boot,) samples and the number of seeds.
    """
    point, boots = [], []
    for _, y, m1, v1, m0, v0 in pairs:
        point.append(float(fn(y, m1, v1, m0, v0)))
        idx = rng.integers(0, len(y), size=(n_boot, len(y)))
        boots.append(fn(y[idx], m1[idx], v1[idx], m0[idx], v0[idx]))
    with warnings.catch_warnings():  # units all NaN (e.g. no variance to cover with) give NaN, shown as not scored
        warnings.simplefilter("ignore", RuntimeWarning)
        samples = np.nanmean(np.vstack(boots), axis=0) if boots else np.full(n_boot, np.nan)
        value = float(np.nanmean(point)) if point else math.nan
    return value, samples, len({p[0] for p in pairs})


def coverage_of_iv(y: np.ndarray, m1: np.ndarray, v1: np.ndarray, m0: np.ndarray, v0: np.ndarray) -> np.ndarray:
    """Coverage of the intervention's 90% interval along the last axis."""
    return (np.abs(y - m1) <= _Z90 * np.sqrt(v1)).mean(axis=-1)


def delta(stat: str) -> Callable[..., np.ndarray]:
    """``stat(intervention) − stat(none)`` as an :func:`estimate` function."""
    fn = STATS[stat]
    return lambda y, m1, v1, m0, v0: fn(y, m1, v1) - fn(y, m0, v0)


def _paired(
    runs: RunSet, iv: Any, ref: Any, split: str, cache: dict[tuple[int, str, str], pd.DataFrame]
) -> tuple[np.ndarray, ...] | None:
    """y and both predictions (mean, var) on the examples both cells scored, by row."""

    def read(src: int, cell: str) -> pd.DataFrame | None:
        key = (src, cell, split)
        if key not in cache:
            # Through the run set: a bundle keeps y once per data setting.
            table = runs.files(src).predictions(cell, ["split", "row", "y", "mean", "var"], split)
            if table is None:
                return None
            cache[key] = table.to_pandas().set_index("row")
        return cache[key]

    a, b = read(int(iv.src), str(iv.cell)), read(int(ref.src), str(ref.cell))
    if a is None or b is None:
        return None
    common = a.index.intersection(b.index)
    if len(common) < 3:
        return None
    a, b = a.loc[common], b.loc[common]
    return (
        a["y"].to_numpy(float),
        a["mean"].to_numpy(float),
        a["var"].to_numpy(float),
        b["mean"].to_numpy(float),
        b["var"].to_numpy(float),
    )


def paired_difference(
    pairs: list[tuple[np.ndarray, ...]], stat: str, *, n_boot: int, rng: np.random.Generator, ci: float
) -> tuple[float, float, float]:
    """Mean over units of stat(intervention) − stat(none), with a percentile interval.

    Parameters
    ----------
    pairs : list of (seed, y, mean_iv, var_iv, mean_none, var_none), arrays (n_u,)
        One unit per (condition, seed); examples are resampled within each unit
        (both predictions on the same indices) and the unit differences averaged.
    stat : {"gap", "r"}
    n_boot : int
    rng : numpy.random.Generator
    ci : float

    Returns
    -------
    estimate, low, high : float
    """
    point, samples, _ = estimate(pairs, delta(stat), n_boot=n_boot, rng=rng)
    alpha = (1 - ci) / 2
    good = samples[np.isfinite(samples)]
    if not good.size:
        return point, math.nan, math.nan
    return point, float(np.quantile(good, alpha)), float(np.quantile(good, 1 - alpha))


def _diff_cell(gap: tuple[float, float, float], r: tuple[float, float, float]) -> Cell:
    flag = "helps" if gap[2] < 0 else "hurts" if gap[1] > 0 else ""
    return Cell(
        f"{fmt(gap[0], '+.3f')} [{fmt(gap[1], '+.3f')}, {fmt(gap[2], '+.3f')}]",
        f"r {fmt(r[0], '+.3f')} [{fmt(r[1], '+.3f')}, {fmt(r[2], '+.3f')}]",
        flag,
        title="Δ|coverage − 0.9| (second line: Δ Pearson r) against none, same model, seed and examples",
    )


def interventions_table(
    rows: pd.DataFrame,
    runs: RunSet,
    task: str,
    *,
    n_boot: int = 200,
    random_state: int = 0,
    ci: float = 0.95,
    family: Family = kind_family,
) -> Table | None:
    """The paired-difference table of ``task`` (None when it ran no intervention)."""
    units = units_of(rows, task, family)
    if units.empty or not (units["intervention"] != NONE).any():
        return None
    columns = _columns(units)
    rng = np.random.default_rng(random_state)
    cache: dict[tuple[int, str, str], pd.DataFrame] = {}
    out_rows, data = [], []
    ivs = units.loc[units["intervention"] != NONE]
    for (model, iv_name), _ in ivs.groupby(["model", "intervention"], sort=True):
        cells = [Cell(str(model)), Cell(str(iv_name))]
        for col in columns:
            pairs = paired_units(units.loc[units["column"] == col], runs, str(model), str(iv_name), cache)
            if not pairs:
                cells.append(Cell("—", flag="missing"))
                continue
            gap = paired_difference(pairs, "gap", n_boot=n_boot, rng=rng, ci=ci)
            r = paired_difference(pairs, "r", n_boot=n_boot, rng=rng, ci=ci)
            cells.append(_diff_cell(gap, r))
            data.append(
                {
                    "task": task,
                    "model": model,
                    "intervention": iv_name,
                    "column": col,
                    "units": len(pairs),
                    "d_gap": gap[0],
                    "d_gap_low": gap[1],
                    "d_gap_high": gap[2],
                    "d_r": r[0],
                    "d_r_low": r[1],
                    "d_r_high": r[2],
                }
            )
        out_rows.append(cells)
    notes = [
        f"Δ against none for the same model, seed and examples; {ci:.0%} percentile "
        f"bootstrap ({n_boot} resamples within each condition and seed, differences "
        "averaged over them). Main line: Δ|coverage₉₀ − 0.9| (negative = closer to "
        "nominal); second line: Δ Pearson r.",
        f"{'▲'} the interval excludes 0 on the side of better coverage, {'▼'} of worse.",
        "Columns: ID (test_id), then each shift kind at each shift's largest severity; "
        "input shifts move p(x), label shifts move p(y | x).",
        "Labelled target examples a test-time intervention used are held out of its "
        "scored set and of the none rows it is compared with.",
    ]
    return Table(
        "interventions",
        task,
        "Interventions (paired Δ vs none)",
        ["model", "intervention", *columns],
        out_rows,
        notes,
        pd.DataFrame(data),
        ["", "", *(_band(units, c) for c in columns)],
    )


def coverage_table(rows: pd.DataFrame, task: str, family: Family = kind_family) -> Table | None:
    """Coverage, width and worst-group coverage per model and intervention."""
    units = units_of(rows, task, family)
    if units.empty or not (units["intervention"] != NONE).any():
        return None
    columns = _columns(units)
    keys = ["model", "intervention", "seed", "shift", "severity", "split"]
    vals = rows.loc[
        (rows["task"] == task) & rows["metric"].isin(["coverage_90", "width_norm_90", "worst_group_coverage_90"])
    ]
    merged = units.merge(vals[[*keys, "metric", "value"]], on=keys)
    mean = merged.groupby(["model", "intervention", "column", "metric"])["value"].mean()
    out_rows = []
    order = sorted(
        units[["model", "intervention"]].drop_duplicates().itertuples(index=False),
        key=lambda t: (t[0], t[1] != NONE, t[1]),
    )
    for model, iv_name in order:
        cells = [Cell(str(model)), Cell(str(iv_name))]
        for col in columns:
            get = lambda m: mean.get((model, iv_name, col, m), math.nan)  # noqa: E731
            cov = get("coverage_90")
            flag = "collapse" if cov < LEVEL - COLLAPSE_MARGIN else ""
            cells.append(
                Cell(
                    fmt(cov),
                    f"w {fmt(get('width_norm_90'), '.2f')} · worst {fmt(get('worst_group_coverage_90'), '.2f')}",
                    flag,
                )
            )
        out_rows.append(cells)
    notes = [
        "Mean coverage of the 90% interval over seeds and conditions; second line: "
        "mean interval width / sd(y) (a calibrated Gaussian: 3.29) and the worst "
        "coverage over declared groups (GC deciles; element class or DREAM subset "
        "where recorded).",
        f"⚠ coverage more than {COLLAPSE_MARGIN:g} below 0.9.",
    ]
    data = mean.reset_index().assign(task=task)
    return Table(
        "coverage",
        task,
        "Coverage under shift",
        ["model", "intervention", *columns],
        out_rows,
        notes,
        data,
        ["", "", *(_band(units, c) for c in columns)],
    )


def add_tables(runs: Any, boards: list[Any], *, n_boot: int = 200, random_state: int = 0, ci: float = 0.95) -> None:
    """Append the Interventions and Coverage tables to each board that ran interventions.

    Called by :func:`regshift_bench.leaderboard.build.build_leaderboard` with its
    :class:`~regshift_bench.leaderboard.load.RunSet`; every renderer then shows them
    like the other tables. Shift families are the runs' declared ones (a shift that
    changes the test inputs is an input shift).
    """
    from regshift_bench.leaderboard.declared import declared

    rows = read_rows(runs.dirs)
    if rows.empty or not (rows["intervention"] != NONE).any():
        return
    family = declared(runs).family
    for board in boards:
        for table in (
            interventions_table(rows, runs, board.task, n_boot=n_boot, random_state=random_state, ci=ci, family=family),
            coverage_table(rows, board.task, family),
        ):
            if table is not None:
                board.tables.append(table)
