"""The overview across tasks, and the rule that hides what nothing scored.

The overview is one model × shift table per task family, read before any task's
own section: on the simulator (a task with an oracle reference) each cell is the
model's MSE minus the oracle's MSE on the same test examples and seed; on real data
it is the model's MSE minus the ``mean`` control's MSE on the same split and seed.
Cells are the mean ± sd over seeds of that difference; columns are every OOD
shift of every task at its largest severity, grouped by task.

:func:`prune` drops the columns and rows of a table where nothing was scored, so a
task section shows no table or column made of "not scored" and "n/a" alone.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from regshift_bench.leaderboard.aggregate import Condition
from regshift_bench.leaderboard.board import Leaderboard, TaskBoard
from regshift_bench.leaderboard.fit import STARVED_NOTE, starved_models
from regshift_bench.leaderboard.tables import UNDERTRAINED, UNDERTRAINED_NOTE, Cell, Table, pm

#: The control the real-data overview is measured against.
CONTROL = "mean"
#: The metric the overview compares (recorded on every regression split).
OVERVIEW_METRIC = "mse"
#: Tables whose first column names the row and every other column is a condition.
MATRIX_KEYS = frozenset({"accuracy", "calibration", "selective", "effective", "other", "overview"})
#: Texts of a cell where nothing was scored (beside the ``n/a`` flag).
UNSCORED_TEXTS = frozenset({"—", "n/a", "not scored"})


def unscored(cell: Cell) -> bool:
    """Whether ``cell`` holds no score (not scored, skipped, or a dash for its value)."""
    return cell.flag == "n/a" or cell.text.strip() in UNSCORED_TEXTS


def prune(table: Table, keep_rows: frozenset[str] = frozenset()) -> Table | None:
    """``table`` without the condition columns and rows where nothing was scored.

    Parameters
    ----------
    table : Table
        A task table; only :data:`MATRIX_KEYS` tables are pruned (others return as they are).
    keep_rows : frozenset of str
        Row names kept even when every cell is unscored (the controls, shown for scale).

    Returns
    -------
    Table or None
        The pruned copy, or None when no scored cell is left (the table is omitted).
    """
    if table.key not in MATRIX_KEYS or not table.rows:
        return table
    n_cols = len(table.columns)
    body = [row[1:] for row in table.rows]
    cols = [j for j in range(1, n_cols) if not all(unscored(r[j - 1]) for r in body)]
    if not cols:
        return None
    rows = [
        row
        for row in table.rows
        if row[0].text in keep_rows or row[0].flag == "reference" or not all(unscored(row[j]) for j in cols)
    ]
    dropped = [table.columns[j] for j in range(1, n_cols) if j not in cols]
    notes = list(table.notes)
    if dropped:
        notes.append(f"Left out, nothing scored there: {', '.join(dropped)}.")
    gone = [r[0].text for r in table.rows if r not in rows]
    if gone:
        notes.append(f"Left out, nothing scored for them: {', '.join(gone)}.")
    keep = [0, *cols]
    groups = [table.groups[j] for j in keep] if table.groups else []
    return dataclasses.replace(
        table,
        columns=[table.columns[j] for j in keep],
        rows=[[row[j] for j in keep] for row in rows],
        notes=notes,
        groups=groups,
    )


def _left_out(table: Table, keep: frozenset[str]) -> tuple[Table | None, str]:
    """``table`` pruned, or None and why it is left out ("": nothing scored).

    Beside the model × condition tables (:func:`prune`), a table with no rows (no
    base+prior pair), an Interpretation table whose every explainer is not applicable,
    and a Robustness summary where no model has a score are left out.
    """
    from regshift_bench.leaderboard.interpretation import KEY as INTERPRETATION
    from regshift_bench.leaderboard.tables_boot import NO_PAIRS

    if not table.rows:
        return None, NO_PAIRS if table.key == "prior" else ""
    if table.key == INTERPRETATION and all(unscored(c) for r in table.rows for c in r[2:]):
        return None, "no explainer applies to these models"
    if table.key == "robustness" and all(unscored(r[2]) for r in table.rows if r[1].flag != "reference"):
        return None, "no model has a score"
    return prune(table, keep), ""


def prune_boards(lb: Leaderboard, controls: list[str]) -> None:
    """Prune every task table in place; a task's omitted tables are named in its first one."""
    keep = frozenset(controls) | {CONTROL}
    for board in lb.boards:
        kept, omitted = [], []
        for table in board.tables:
            pruned, why = _left_out(table, keep)
            if pruned is None:
                # "Interpretation: do explanations ...?" is named by its head alone.
                omitted.append(table.title.partition(":")[0] + (f" ({why})" if why else ""))
            else:
                kept.append(pruned)
        if omitted and kept:
            kept[0].notes.append(f"Not shown, nothing scored on this task: {', '.join(omitted)}.")
        board.tables = kept


def _top_conditions(board: TaskBoard) -> list[Condition]:
    """The OOD conditions of a board, each shift at its largest severity.

    A shift run only at severity 0 (e.g. ``random``, a second held-out set of the same
    pool) shifts nothing by construction: it is the floor the shifts are read against,
    not one of them, so it is left out.
    """
    ood = [c for c in board.conditions if not c.is_reference and c.severity > 0]
    top: dict[str, float] = {}
    for c in ood:
        top[c.shift] = max(top.get(c.shift, c.severity), c.severity)
    return [c for c in ood if c.severity == top[c.shift]]


def _seed_values(res: pd.DataFrame, task: str, oracle: str) -> tuple[pd.Series, pd.Series]:
    """Per-seed MSE of each model, and of the yardstick (oracle or control), of one task."""
    part = res.loc[(res["task"] == task) & (res["status"] == "ok") & (res["explainer"] == "")]
    key = ["shift", "severity", "split", "seed"]
    models = part.loc[(part["reference"] == "") & (part["metric"] == OVERVIEW_METRIC)]
    values = models.groupby(["model", *key])["value"].mean()
    if oracle:
        yard = part.loc[(part["reference"] == oracle) & (part["metric"] == f"{oracle}_{OVERVIEW_METRIC}")]
    else:
        yard = models.loc[models["model"] == CONTROL]
    return values, yard.groupby(key)["value"].mean()


def _excess(values: pd.Series, yard: pd.Series, model: str, cond: Condition) -> pd.Series:
    """Per seed: the model's MSE minus the yardstick's in ``cond`` (empty when either is absent)."""
    try:
        mine = values.loc[(model, cond.shift, cond.severity, cond.split)]
        base = yard.loc[(cond.shift, cond.severity, cond.split)]
    except KeyError:
        return pd.Series(dtype=float)
    return (mine - base.reindex(mine.index)).dropna()


def _cell(per_seed: pd.Series) -> Cell:
    """Mean ± sd over seeds, or an unscored dash."""
    if per_seed.empty:
        return Cell("—", "", "n/a")
    sd = float(per_seed.std(ddof=1)) if len(per_seed) > 1 else float("nan")
    return Cell(pm(float(per_seed.mean()), sd))


def _task_columns(
    lb: Leaderboard, board: TaskBoard, models: list[str], learned: list[str]
) -> tuple[list[str], dict[str, list[Cell]]]:
    """A task's two overview columns: its worst shift, and the mean over its shifts."""
    from regshift_bench.leaderboard.tables import Lookup

    values, yard = _seed_values(lb.runs.results, board.task, board.oracle)
    conds = _top_conditions(board)
    excess = {(m, c): _excess(values, yard, m, c) for m in models for c in conds}
    judged = [m for m in learned if m in board.models] or models

    def loss(c: Condition) -> float:
        means = [float(excess[m, c].mean()) for m in judged if not excess[m, c].empty]
        return float(np.mean(means)) if means else -np.inf

    scored = [c for c in conds if loss(c) > -np.inf]
    if not scored:
        return [], {}
    worst = max(scored, key=loss)
    look = Lookup(lb.agg, board.task, [OVERVIEW_METRIC])
    cells: dict[str, list[Cell]] = {}
    for m in models:
        top = _cell(excess[m, worst])
        k, n = look.undertrained(m, worst)
        if k and not unscored(top):
            top.mark = f"{UNDERTRAINED}{k}/{n}"
        both = pd.concat([excess[m, c].rename(i) for i, c in enumerate(scored)], axis=1)
        mean = _cell(both.mean(axis=1).dropna() if len(both.columns) else both)
        ran = sum(not excess[m, c].empty for c in scored)
        if 0 < ran < len(scored):  # a mean over fewer shifts is not comparable: say so
            mean.sub = f"over {ran} of {len(scored)}"
        cells[m] = [top, mean]
    return [f"worst: {worst.label}", f"mean of {len(scored)}"], cells


def overview_table(lb: Leaderboard, controls: list[str]) -> Table | None:
    """One model × task table of the MSE lost beyond each task's yardstick.

    Per task two columns: the shift (at its largest severity) where the learned models
    lose most, and the mean over the task's OOD shifts. The yardstick is the oracle on a
    task that has one (the simulator) and the ``mean`` control on real data.
    """
    models = sorted({m for b in lb.boards for m in b.models})
    learned = [m for m in models if m not in controls and m != CONTROL]
    columns: list[str] = []
    groups: list[str] = []
    grid: dict[str, list[Cell]] = {m: [] for m in models}
    for board in sorted(lb.boards, key=lambda b: (not b.oracle, b.task)):
        labels, cells = _task_columns(lb, board, models, learned)
        what = "vs oracle" if board.oracle else f"vs {CONTROL}"
        columns += labels
        groups += [f"{board.task} · {what}"] * len(labels)
        for m in models:
            grid[m] += cells.get(m, [])
    if not columns:
        return None
    starved = {m for b in lb.boards for m in starved_models(lb.fits, b.task)}
    rows = [[_model_cell(m, starved), *grid[m]] for m in sorted(models, key=lambda m: _order(grid[m], m))]
    notes = [
        f"Cell = {OVERVIEW_METRIC} of the model minus {OVERVIEW_METRIC} of the task's "
        f"yardstick on the same test examples and seed, mean ± sd over seeds (0 = as good as "
        f"the yardstick; lower is better). Yardstick: the oracle on the simulator (a task "
        f"with an oracle), the {CONTROL} control on real data. Per task: the shift (at its "
        "largest severity) where the learned models lose most, and the mean over its OOD "
        "shifts (a split at severity 0, such as random, shifts nothing and is left out; "
        "'over k of N' where the plan runs a model under fewer of them: not "
        "comparable with a mean over all N); rows ordered by the mean over their columns. "
        "Every shift is in the task's own section below."
    ]
    if any(not b.oracle for b in lb.boards) and CONTROL not in models:
        notes.append(f"No {CONTROL} model in these runs: real-data tasks have no yardstick.")
    if starved:
        notes.append(STARVED_NOTE)
    if any(c.mark for row in rows for c in row):
        notes.append(UNDERTRAINED_NOTE)
    data = pd.DataFrame(
        [
            {"column": f"{g} · {c}", "model": r[0].text, "excess": r[i + 1].text}
            for r in rows
            for i, (g, c) in enumerate(zip(groups, columns))
        ]
    )
    table = Table(
        "overview",
        "",
        f"Overview: {OVERVIEW_METRIC} lost beyond the oracle (simulator) or the {CONTROL} control (real data)",
        ["model", *columns],
        rows,
        notes,
        data,
        ["", *groups],
    )
    return prune(table, frozenset({CONTROL}))


def _model_cell(model: str, starved: set[str]) -> Cell:
    """A row's name: the control says so; a model stopped by its budget is marked starved."""
    if model in starved:
        return Cell(model, "starved (see Training)", "collapse")
    return Cell(model, "control" if model == CONTROL else "")


def _order(cells: list[Cell], model: str) -> tuple[float, str]:
    vals = []
    for c in cells:
        try:
            vals.append(float(c.text.split(" ")[0]))
        except ValueError:
            continue
    return (float(np.mean(vals)) if vals else float("inf"), model)


def leading(lb: Leaderboard) -> list[Table]:
    """Run-wide tables shown before the tasks: the Findings, then the overview."""
    return [t for t in lb.sections if t.key == "findings"] + list(lb.overview)


def trailing(lb: Leaderboard) -> list[Table]:
    """Run-wide tables shown after the tasks (Anchors)."""
    return [t for t in lb.sections if t.key != "findings"]
