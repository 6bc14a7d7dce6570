"""Anchors: the field's published reference numbers, shown beside ours.

Plugins register them (:class:`regshift_bench.api.Anchor`, hook
``rsbench_register_anchors``), each with its source, its training-set size and why
ours is not comparable. Beside each, the leaderboard shows our task's training-set
size under the run's preset (from the suite file) and, when the run has it, our best
learned model's in-distribution value.
"""

from __future__ import annotations

from typing import cast

from regshift_bench.api.claim import Anchor
from regshift_bench.errors import RegshiftError
from regshift_bench.leaderboard.aggregate import REFERENCE
from regshift_bench.leaderboard.board import Leaderboard
from regshift_bench.leaderboard.tables import Cell, Table, fmt

#: Per-split values listed for an anchor whose metric is not recorded in distribution.
SPLITS_SHOWN = 4


def registered_anchors() -> list[tuple[str, Anchor]]:
    """(owner plugin, anchor) of every registered anchor, in registration order."""
    from regshift_bench import plugins

    entries = plugins.current().registry.in_order("anchor")
    return [(e.owner, cast(Anchor, e.factory)) for e in entries if isinstance(e.factory, Anchor)]


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


def _ours(lb: Leaderboard, task: str, metric: str = "", controls: tuple[str, ...] = ()) -> str:
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
                    & ~vals["model"].isin(list(controls))]
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
    """The Anchors section: published number, source and size beside ours (this run).

    ``anchors`` defaults to every registered anchor; controls (``lb.options["controls"]``,
    from the registered claims) are not "ours".
    """
    presets = sorted({str(r.get("preset", "")) for r in lb.provenance["runs"]} - {""})
    controls = tuple(lb.options.get("controls") or ())
    rows = []
    owners = {a.name: owner for owner, a in registered_anchors()}
    for a in anchors if anchors is not None else [a for _, a in registered_anchors()]:
        size = our_train_size(a.our_task, presets) if a.our_task else "—"
        rows.append([Cell(a.name, a.source), Cell(a.value, a.metric), Cell(a.train_size),
                     Cell(a.our_task or "—", f"train {size} · data: {a.data}"),
                     Cell(_ours(lb, a.our_task, a.our_metric, controls)),
                     Cell(a.incomparable, owners.get(a.name, ""))])
    notes = ["Published numbers as stated in their sources, registered by the plugins that ship "
             "the tasks (`rsbench list anchors`); ours are this run's, on the subsets and "
             "training sizes shown, so the last column says where they are not comparable."]
    if not rows:
        notes.insert(0, "no plugin registers an anchor")
    return Table("anchors", "", "Anchors: published reference numbers",
                 ["published result", "value", "their training set", "our task",
                  "ours (this run)", "comparable?"], rows, notes)
