"""Tables (d) robustness summary and (e) prior effect, from bootstrap results."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from regshift_bench.bootstrap import METHOD
from regshift_bench.leaderboard.aggregate import Aggregate, Condition
from regshift_bench.leaderboard.ranks import BootScores
from regshift_bench.leaderboard.tables import NOT_PLANNED, UNDERTRAINED, UNDERTRAINED_NOTE, Cell, Lookup, Table, fmt

#: Why the Prior effect table is empty (and left out of the task's section).
NO_PAIRS = "no base+prior model with its base in these runs"


def _rank_text(rank: float) -> str:
    return "—" if not math.isfinite(rank) else f"{rank:g}"


def robustness_table(
    agg: Aggregate,
    task: str,
    metric: str,
    frame: pd.DataFrame,
    bs: BootScores,
    conds: list[Condition],
    score_note: str = "",
    ref_scores: dict[str, float] | None = None,
) -> Table:
    """(d) score across shifts with CI, median bootstrap rank with 95% interval, tie group.

    ``ref_scores`` (reference name -> score on the same scale) adds unranked rows.
    """
    look = Lookup(agg, task, [metric])
    ood = [c for c in conds if not c.is_reference] or conds
    vals = agg.values
    sel = vals.loc[(vals["task"] == task) & (vals["metric"] == metric)]
    keys = {(c.shift, c.severity, c.split) for c in ood}
    mask = [k in keys for k in zip(sel["shift"], sel["severity"], sel["split"])]
    drops = sel.loc[mask].groupby("model")["drop_mean"].agg(["mean", "count"])
    frame = frame.copy()
    frame["mean_drop"] = [
        drops["mean"].get(m, np.nan) if drops["count"].get(m, 0) == len(ood) else np.nan for m in frame["model"]
    ]
    pct = round(100 * bs.ci)
    rows = []
    for r in frame.to_dict("records"):
        complete = bool(r["complete"])
        rank = Cell(_rank_text(r["rank"]))
        interval = "—" if not complete else f"[{_rank_text(r['rank_low'])}, {_rank_text(r['rank_high'])}]"
        score = Cell(fmt(r["score"]), f"{pct}% CI [{fmt(r['score_low'])}, {fmt(r['score_high'])}]")
        group = "—" if not math.isfinite(r["tie_group"]) else str(int(r["tie_group"]))
        note = r["note"] or ("no predictions" if not complete else "")
        model = Cell(r["model"], "" if complete else f"not ranked: {note}", "" if complete else "incomplete", note)
        if look.undertrained(r["model"])[0]:
            model.mark = UNDERTRAINED
        rows.append([rank, model, score, Cell(interval), Cell(group), Cell(fmt(r["mean_drop"]))])
    for name, value in (ref_scores or {}).items():
        rows.append(
            [
                Cell("—"),
                Cell(name, "reference · not ranked", "reference"),
                Cell(fmt(value), "", "reference"),
                Cell("—"),
                Cell("—"),
                Cell("—"),
            ]
        )
    direction = "higher" if bs.higher_is_better else "lower"
    what = score_note or metric
    notes = [
        f"score = mean over {len(ood)} OOD condition(s) of {what} ({direction} is better). "
        f"Ranks from {bs.n_boot} resamples of a {METHOD}: median rank "
        f"and its {pct}% interval. Tie group: models whose {pct}% paired-bootstrap interval "
        "of the score difference to their group's leader contains 0 share the leader's group; "
        "the first model the leader beats significantly leads the next group.",
        *bs.notes,
    ]
    if any(c.mark for row in rows for c in row):
        notes.append(UNDERTRAINED_NOTE)
    columns = [
        "rank",
        "model",
        f"score ({metric}{' rel.' if score_note else ''})",
        f"rank {pct}% interval",
        "tie group",
        "mean drop",
    ]
    return Table("robustness", task, "Robustness summary", columns, rows, notes, frame.assign(task=task, metric=metric))


def prior_table(
    task: str,
    metric: str,
    frame: pd.DataFrame,
    bs: BootScores,
    conds: list[Condition],
    planned: Callable[[str, Condition], bool] | None = None,
) -> Table:
    """(e) paired bootstrap difference ``base+prior`` − ``base`` per shift.

    ``planned(model, condition)`` tells a pair the plan leaves out (shown ``—``, not
    missing) from one whose cells have not run.
    """
    pct = round(100 * bs.ci)
    notes = [
        f"Difference in {metric} of each base+prior model against its base on the same "
        f"examples and seeds, oriented so that > 0 means the prior helps; [{pct}% interval "
        f"of a {METHOD}]; 'helps'/'hurts' when the Holm-adjusted p-value over this pair's "
        f"{len(conds)} condition(s), one family since they share models and inputs, is below "
        f"{1 - bs.ci:.2g}.",
        *bs.notes,
    ]
    if frame.empty:
        notes.insert(0, NO_PAIRS)
        return Table("prior", task, "Prior effect", ["model"], [], notes, frame)
    index = {(r["model"], r["condition"]): r for r in frame.to_dict("records")}
    rows = []
    for model, base in frame[["model", "base"]].drop_duplicates().itertuples(index=False):
        cells = []
        for cond in conds:
            r = index[(model, cond.label)]
            if r["n_seeds"] == 0:
                if planned is not None and not (planned(model, cond) and planned(base, cond)):
                    cells.append(Cell("—", "not planned", "", NOT_PLANNED))
                else:
                    cells.append(Cell("missing", "no paired predictions", "missing"))
                continue
            flag = ("helps" if r["diff"] > 0 else "hurts") if r["significant"] else ""
            seeds = "" if r["n_seeds"] == r["n_expected"] else f" · {r['n_seeds']}/{r['n_expected']} seeds"
            text = "—" if not math.isfinite(r["diff"]) else f"{r['diff']:+.3f}"
            holm_p = f" · p_Holm {fmt(r.get('p_holm'))}" if math.isfinite(r.get("p_holm", math.nan)) else ""
            cells.append(
                Cell(text, f"[{fmt(r['low'])}, {fmt(r['high'])}]{holm_p}{seeds}", flag or ("partial" if seeds else ""))
            )
        rows.append([_label(model, base, cells), *cells])
    return Table(
        "prior",
        task,
        "Prior effect",
        ["model (vs base)", *(c.label for c in conds)],
        rows,
        notes,
        frame.assign(task=task, metric=metric),
    )


def _label(model: str, base: str, cells: list[Cell]) -> Cell:
    bad = any(c.flag in ("partial", "missing") for c in cells)
    return Cell(model, f"vs {base}" + (" · incomplete" if bad else ""), "incomplete" if bad else "")
