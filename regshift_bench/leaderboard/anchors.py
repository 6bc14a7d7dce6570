"""Anchors: the field's published reference numbers, shown beside ours.

The numbers live in ``anchors.toml`` next to this module (each with its source, its
training-set size and why ours is not comparable). Beside each, the leaderboard
shows our task's training-set size under the run's preset (from the suite file) and,
when the run has it, our best learned model's in-distribution Pearson r.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

from regshift_bench.errors import DataError, RegshiftError
from regshift_bench.leaderboard.aggregate import REFERENCE
from regshift_bench.leaderboard.tables import Cell, Table, fmt
from regshift_bench.leaderboard.board import Leaderboard


#: Fields every ``[[anchor]]`` must have.
FIELDS = ("name", "metric", "value", "source", "train_size", "our_task", "data", "incomparable")
#: Optional: the recorded metric ours is read from (default: the task's board metric).
OPTIONAL = ("our_metric",)
#: Per-split values listed for an anchor whose metric is not recorded in distribution.
SPLITS_SHOWN = 4
#: Constant predictors are not "ours" in the comparison with published models.
_BASELINES = ("mean",)


@dataclass(frozen=True)
class Anchor:
    """One published number; ``our_task`` is "" when no task of ours is close."""

    name: str
    metric: str
    value: str
    source: str
    train_size: str
    our_task: str
    data: str
    incomparable: str
    our_metric: str = ""


def load_anchors(text: str | None = None) -> list[Anchor]:
    """The anchors of ``anchors.toml`` (or of ``text``, TOML with ``[[anchor]]`` tables)."""
    if text is None:
        text = resources.files("regshift_bench.leaderboard").joinpath("anchors.toml").read_text(
            encoding="utf-8")
    try:
        raw = tomllib.loads(text).get("anchor", [])
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"anchors.toml is not valid TOML ({exc}); fix the file") from exc
    out = []
    for i, entry in enumerate(raw):
        missing = [f for f in FIELDS if f not in entry]
        if missing:
            raise DataError(f"anchors.toml anchor {i + 1} lacks {', '.join(missing)}; add them")
        out.append(Anchor(**{f: str(entry[f]) for f in (*FIELDS, *OPTIONAL) if f in entry}))
    return out


def our_train_size(task: str, presets: list[str]) -> str:
    """Training-set size of ``task`` under each preset, from its shipped suite file."""
    from regshift_bench.tasks import shipped_suites

    for suite in shipped_suites():
        if any(t.label == task for t in suite.tasks):
            sizes = []
            for name in presets:
                try:
                    train = suite.preset(name).sizes.train
                except RegshiftError:
                    continue
                sizes.append(f"{name}: {'all of our data' if train is None else f'{train:,}'}")
            return "; ".join(sizes) or "preset not in the suite file"
    return "task not shipped"


def _ours(lb: Leaderboard, task: str, metric: str = "") -> str:
    """Best learned model's seed-mean ``metric`` on ``task`` in this run, or why not.

    ``metric`` defaults to the task's board metric. In distribution when recorded there;
    otherwise (a variant-effect metric, scored per element) the best model by its mean
    over the splits, with its first :data:`SPLITS_SHOWN` per-split values.
    """
    if not task:
        return "no task of ours"
    if not metric:
        metric = next((b.metric for b in lb.boards if b.task == task), "")
    vals = lb.agg.values
    part = vals.loc[(vals["task"] == task) & (vals["metric"] == metric)
                    & ~vals["model"].isin(_BASELINES)]
    if part.empty:
        return "not in this run"
    ident = part.loc[part["shift"] == REFERENCE]
    if not ident.empty:
        best = ident.loc[ident["mean"].idxmax()]
        return (f"{best['model']} {metric} = {fmt(best['mean'])} (ID, "
                f"{int(best['n_seeds'])} seed(s))")
    model = part.groupby("model")["mean"].mean().idxmax()
    rows = part.loc[part["model"] == model].sort_values("split")
    shown = [f"{str(r['split']).partition('/')[2] or r['split']} {fmt(r['mean'])}"
             for r in rows.head(SPLITS_SHOWN).to_dict("records")]
    more = f" (+{len(rows) - SPLITS_SHOWN} more)" if len(rows) > SPLITS_SHOWN else ""
    return (f"{model} {metric}: {', '.join(shown)}{more} "
            f"({int(rows['n_seeds'].min())} seed(s))")


def anchors_table(lb: Leaderboard, anchors: list[Anchor] | None = None) -> Table:
    """The Anchors section: published number, source and size beside ours (this run)."""
    presets = sorted({str(r.get("preset", "")) for r in lb.provenance["runs"]} - {""})
    rows = []
    for a in anchors if anchors is not None else load_anchors():
        size = our_train_size(a.our_task, presets) if a.our_task else "—"
        rows.append([Cell(a.name, a.source), Cell(a.value, a.metric), Cell(a.train_size),
                     Cell(a.our_task or "—", f"train {size} · data: {a.data}"),
                     Cell(_ours(lb, a.our_task, a.our_metric)), Cell(a.incomparable)])
    notes = ["Published numbers as stated in their sources (see regshift_bench/leaderboard/"
             "anchors.toml); ours are this run's, on the subsets and training sizes shown, so "
             "the last column says where they are not comparable."]
    return Table("anchors", "", "Anchors: published reference numbers",
                 ["published result", "value", "their training set", "our task",
                  "ours (this run)", "comparable?"], rows, notes)
