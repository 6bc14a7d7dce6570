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
    part = vals.loc[(vals["task"] == task) & (vals["metric"] == metric) & ~vals["model"].isin(list(controls))]
    if part.empty:
        return "not in this run"
    ident = part.loc[part["shift"] == REFERENCE]
    if not ident.empty:
        best = ident.loc[ident["mean"].idxmax()]
        return f"{best['model']} {metric} = {fmt(best['mean'])} (ID, {int(best['n_seeds'])} seed(s))"
    model = part.groupby("model")["mean"].mean().idxmax()
    rows = part.loc[part["model"] == model].sort_values("split")
    shown = [
        f"{str(r['split']).partition('/')[2] or r['split']} {fmt(r['mean'])}"
        for r in rows.head(SPLITS_SHOWN).to_dict("records")
    ]
    more = f" (+{len(rows) - SPLITS_SHOWN} more)" if len(rows) > SPLITS_SHOWN else ""
    return f"{model} {metric}: {', '.join(shown)}{more} ({int(rows['n_seeds'].min())} seed(s))"


def shown_anchors(anchors: list[Anchor], tasks: list[str]) -> tuple[list[Anchor], list[Anchor]]:
    """The anchors to tabulate for a run of ``tasks``, and those left to one line.

    A run of every task some anchor names shows them all (the published board); a
    smaller run shows only the anchors of its own tasks: the others, and those of no
    task of ours, are counted, not tabulated.
    """
    named = {a.our_task for a in anchors if a.our_task}
    if named <= set(tasks):
        return list(anchors), []
    return ([a for a in anchors if a.our_task in tasks], [a for a in anchors if a.our_task not in tasks])


def _left_line(left: list[Anchor]) -> str:
    """One line counting the anchors of tasks this run does not have."""
    none = sum(1 for a in left if not a.our_task)
    what = f" ({none} of them for no task of ours)" if none else ""
    return f"{len(left)} published anchor(s) for tasks not in this run{what}: `rsbench list anchors`"


def anchors_table(lb: Leaderboard, anchors: list[Anchor] | None = None) -> Table:
    """The Anchors section: published number, source and size beside ours (this run).

    Parameters
    ----------
    lb : Leaderboard
        The built leaderboard (its tasks, values, presets and controls).
    anchors : list of Anchor, optional
        Default: every registered anchor. Only the anchors of the run's tasks are
        tabulated unless the run has every anchored task (:func:`shown_anchors`); the
        rest are counted in one note. Controls (``lb.options["controls"]``, from the
        registered claims) are not "ours".

    Returns
    -------
    Table
        One row per shown anchor; with none shown, no rows and one line of notes.
    """
    presets = sorted({str(r.get("preset", "")) for r in lb.provenance["runs"]} - {""})
    controls = tuple(lb.options.get("controls") or ())
    owners = {a.name: owner for owner, a in registered_anchors()}
    every = anchors if anchors is not None else [a for _, a in registered_anchors()]
    shown, left = shown_anchors(every, [b.task for b in lb.boards])
    rows = []
    for a in shown:
        size = our_train_size(a.our_task, presets) if a.our_task else "—"
        rows.append(
            [
                Cell(a.name, a.source),
                Cell(a.value, a.metric),
                Cell(a.train_size),
                Cell(a.our_task or "—", f"train {size} · data: {a.data}"),
                Cell(_ours(lb, a.our_task, a.our_metric, controls)),
                Cell(a.incomparable, owners.get(a.name, "")),
            ]
        )
    notes = [_left_line(left)] if left else []
    if rows:
        notes.append(
            "Published numbers as stated in their sources, registered by the plugins "
            "that ship the tasks (`rsbench list anchors`); ours are this run's, on the "
            "subsets and training sizes shown, so the last column says where they are "
            "not comparable."
        )
    elif not every:
        notes.append("no plugin registers an anchor")
    return Table(
        "anchors",
        "",
        "Anchors: published reference numbers",
        ["published result", "value", "their training set", "our task", "ours (this run)", "comparable?"],
        rows,
        notes,
    )
