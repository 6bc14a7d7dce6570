"""Assemble a leaderboard: load runs, aggregate, bootstrap, and build the tables."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from regshift_bench.errors import DataError
from regshift_bench.leaderboard.aggregate import Aggregate, Condition, aggregate
from regshift_bench.leaderboard.anchors import anchors_table
from regshift_bench.leaderboard.board import Leaderboard, TaskBoard
from regshift_bench.leaderboard.declared import declared
from regshift_bench.leaderboard.effective import effective_robustness, effective_table
from regshift_bench.leaderboard.findings_claims import evaluate, findings_table
from regshift_bench.leaderboard.load import RunSet, load_runs
from regshift_bench.leaderboard.metric_info import (
    OTHER_SHOWN,
    MetricInfo,
    default_metric,
    registered_infos,
    table_metrics,
    undeclared_infos,
)
from regshift_bench.leaderboard.ranks import (
    boot_scores,
    ceiling_relative,
    prior_effect,
    prior_pairs,
    robustness,
    shared_conditions,
)
from regshift_bench.leaderboard.tables import accuracy_table, metric_table
from regshift_bench.leaderboard.tables_boot import prior_table, robustness_table
from regshift_bench.names import did_you_mean
from regshift_bench.submission.board import ranked_in_tracks

TABLE_KEYS = ("accuracy", "calibration", "selective", "robustness", "prior", "effective", "other")
#: Tables filled from metric metadata (``Metric.table``), with their titles.
METRIC_TABLES = (("calibration", "Calibration"), ("selective", "Selective prediction"))
#: A reference whose name ends so is a ceiling: the robustness score is relative to it.
CEILING_SUFFIX = "ceiling"


def _controls() -> list[str]:
    """Control models the registered claims name (quoted, never judged)."""
    from regshift_bench.leaderboard.findings_claims import registered_claims

    return sorted({m for _, c in registered_claims() for m in c.controls})


def _pick_tasks(agg: Aggregate, wanted: list[str] | None) -> tuple[list[str], list[str]]:
    """The tasks to show, and the planned tasks left out because no cell of theirs finished."""
    known = agg.tasks()
    if not known:
        raise DataError("the run directories hold no cells; run `rsbench run` first")
    for task in wanted or []:
        if task not in known:
            raise DataError(
                f"task {task!r} is not in these runs{did_you_mean(task, known)} (runs hold: {', '.join(known)})"
            )
    # A run still going (or killed) plans tasks none of whose cells has finished: they have
    # nothing to show yet, and must not stop the tasks that do.
    asked = list(wanted) if wanted else known
    pending = [t for t in asked if not agg.metrics(t)]
    if asked and len(pending) == len(asked):
        raise DataError(
            f"no cell of {', '.join(asked)} has finished yet; let the run finish "
            "(`rsbench run` with the same --out resumes it)"
        )
    return [t for t in asked if t not in pending], pending


def _left_out_note(left_out: dict[Any, list[str]]) -> str:
    """A note naming the conditions left out of the robustness score and who lacks them."""
    parts = [f"{c.label} (not run by {', '.join(ms)})" for c, ms in left_out.items()]
    return (
        f"{len(left_out)} condition(s) are left out of the score, which covers the conditions "
        f"most models ran (each is in the tables above): {'; '.join(parts)}"
    )


def _pick_metric(agg: Aggregate, task: str, metric: str | None, infos: dict[str, MetricInfo]) -> str:
    present = agg.metrics(task)
    if metric is not None:
        return metric
    chosen = default_metric(infos, present)
    if chosen is None:
        raise DataError(
            f"task {task!r} recorded no metric that a loaded plugin declares for the "
            "accuracy table; choose one with --metric (recorded: "
            f"{', '.join(sorted(present)) or 'none'})"
        )
    return chosen


def ceiling_of(
    agg: Aggregate, task: str, metric: str, hib: bool, conds: list[Condition], oracle: str = ""
) -> tuple[str, dict[Condition, float]] | None:
    """The yardstick recorded for ``metric`` on every OOD condition: the task's declared
    ``oracle`` when it has one, else the first ``*ceiling`` reference."""
    refs = agg.references
    if refs.empty:
        return None
    refs = refs.loc[(refs["task"] == task) & (refs["metric"] == metric)]
    ood = [c for c in conds if not c.is_reference]
    names = [oracle] if oracle else sorted(n for n in set(refs["reference"]) if n.endswith(CEILING_SUFFIX))
    for name in names:
        part = refs.loc[refs["reference"] == name]
        found = {(r.shift, r.severity, r.split): float(r.mean) for r in part.itertuples()}
        values = {c: found.get((c.shift, c.severity, c.split), float("nan")) for c in ood}
        usable = [v for v in values.values() if math.isfinite(v) and (v > 0 or not hib)]
        if ood and len(usable) == len(ood):
            return name, values
    return None


def _reference_scores(
    agg: Aggregate,
    task: str,
    metric: str,
    conds: list[Condition],
    ceiling: tuple[str, dict[Condition, float]] | None,
    hib: bool,
) -> dict[str, float]:
    """Each reference's robustness score on the models' scale (mean over OOD conditions)."""
    refs = agg.references
    if refs.empty:
        return {}
    refs = refs.loc[(refs["task"] == task) & (refs["metric"] == metric)]
    ood = [c for c in conds if not c.is_reference]
    out = {}
    for name in sorted(set(refs["reference"])):
        part = {(r.shift, r.severity, r.split): float(r.mean) for r in refs.loc[refs["reference"] == name].itertuples()}
        vals = []
        for c in ood:
            v = part.get((c.shift, c.severity, c.split), float("nan"))
            if ceiling is not None:
                base = ceiling[1][c]
                v = v / base if hib else v - base
            vals.append(v)
        if vals and all(math.isfinite(v) for v in vals):
            out[name] = float(sum(vals) / len(vals))
    return out


def build_leaderboard(
    runs: RunSet | Sequence[str | Path],
    *,
    tasks: list[str] | None = None,
    metric: str | None = None,
    n_boot: int = 1000,
    random_state: int = 0,
    ci: float = 0.95,
    severity: str = "max",
    findings: bool = True,
) -> Leaderboard:
    """Build every task's five tables from run directories.

    Parameters
    ----------
    runs : RunSet or list of paths
        Run directories (merged by :func:`~regshift_bench.leaderboard.load.load_runs`).
    tasks : list of str, optional
        Tasks to show (default: all in the runs).
    metric : str, optional
        Any registered metric (third-party included): tables (a), (d), (e) and the
        plots; default: the first recorded metric whose plugin declares
        ``table = "accuracy"`` (lowest ``table_order``).
    n_boot, random_state, ci
        Bootstrap resamples, their seed, and the interval level.
    severity : {"max", "all"}
        Show each shift at its largest severity, or every severity as its own column.
    findings : bool
        Add the Findings section (the registered claims and each model's "what breaks
        it", judged on these runs) and the registered published numbers (Anchors).
    """
    if severity not in ("max", "all"):
        raise DataError(f"severity must be 'max' or 'all', not {severity!r}")
    if not 0 < ci < 1:
        raise DataError(f"ci must be in (0, 1), not {ci}")
    runset = runs if isinstance(runs, RunSet) else load_runs(list(runs))
    agg = aggregate(runset)
    chosen, pending = _pick_tasks(agg, tasks)
    _check_metric(agg, chosen, metric)
    boards = _task_boards(runset, agg, chosen, metric, severity, n_boot=n_boot, random_state=random_state, ci=ci)
    from regshift_bench.leaderboard import interpretation, interventions

    interpretation.add_tables(runset.dirs, boards)  # per-task Interpretation table, if any
    interventions.add_tables(
        runset, boards, n_boot=min(n_boot, 200), random_state=random_state, ci=ci
    )  # if the runs have any
    options = {
        "metric": metric,
        "n_boot": n_boot,
        "random_state": random_state,
        "ci": ci,
        "severity": severity,
        "tasks_without_results": pending,
    }
    lb = Leaderboard(runset, agg, boards, runset.provenance(), options)
    if findings:
        lb.findings = evaluate(lb)
        lb.sections = [
            findings_table(lb.findings, ci, lb.options.get("controls"), lb.options.get("declaration_notes")),
            anchors_table(lb),
        ]
    _add_overview_and_training(lb)
    return lb


def _check_metric(agg: Aggregate, chosen: list[str], metric: str | None) -> None:
    """Refuse a ranking ``metric`` that none of the ``chosen`` tasks recorded.

    Raises
    ------
    DataError
        Naming the tasks and the closest recorded metric.
    """
    if metric is not None and not any(metric in agg.metrics(t) for t in chosen):
        present = sorted(set().union(*(agg.metrics(t) for t in chosen)))
        raise DataError(f"metric {metric!r} was not recorded for {', '.join(chosen)}{did_you_mean(metric, present)}")


def _task_boards(
    runset: RunSet,
    agg: Aggregate,
    chosen: list[str],
    metric: str | None,
    severity: str,
    *,
    n_boot: int,
    random_state: int,
    ci: float,
) -> list[TaskBoard]:
    """One :class:`TaskBoard` per chosen task, in order (see :func:`build_leaderboard`).

    The label shifts (shifts that keep the test inputs, as the plugins declare) are
    found once for all tasks: the metric tables leave shift detectors out there.
    """
    infos = registered_infos()
    decl = declared(runset)
    label_shifts = frozenset(s for s in set(runset.plan["shift"]) if not decl.input_shift(s, agg.kinds.get(s, "")))
    return [
        _task_board(
            runset,
            agg,
            task,
            decl.oracle_of(task),
            metric,
            infos,
            label_shifts,
            severity,
            n_boot=n_boot,
            random_state=random_state,
            ci=ci,
        )
        for task in chosen
    ]


def _task_board(
    runset: RunSet,
    agg: Aggregate,
    task: str,
    oracle: Any,
    metric: str | None,
    infos: dict[str, Any],
    label_shifts: frozenset[str],
    severity: str,
    *,
    n_boot: int,
    random_state: int,
    ci: float,
) -> TaskBoard:
    """One task's tables: accuracy, the metric tables, robustness, prior effect,
    effective robustness and the recorded metrics no plugin declares (``oracle``: the
    task's oracle reference model, None on real data)."""
    name = _pick_metric(agg, task, metric, infos)
    hib = agg.higher_is_better(name)
    models = agg.models(task)
    conds = agg.conditions(task, severity)
    # Rank only where the runner recorded the metric: a split it does not score that
    # way (a variant-effect set) has predictions, but the metric means nothing there.
    keys = agg.recorded(task, name)
    scored = [c for c in conds if (c.shift, c.severity, c.split) in keys]
    bs = boot_scores(runset, task, name, hib, scored, models, n_boot=n_boot, random_state=random_state, ci=ci)
    if len(scored) < len(conds):
        bs.notes.append(
            f"{len(conds) - len(scored)} condition(s) record no {name} and are "
            "not ranked on it (see 'Other recorded metrics')"
        )
    info = infos.get(name)
    # A ceiling bounds accuracy; it means nothing for e.g. a shift detector's AUROC.
    ceiling = ceiling_of(agg, task, name, hib, conds, oracle) if info is not None and info.table == "accuracy" else None
    ranked = bs if ceiling is None else ceiling_relative(bs, ceiling[1])
    # Robustness is a score across shifts: where OOD splits exist but none records the
    # metric, nothing is ranked; a run of the ID condition alone ranks on it.
    has_ood = any(not c.is_reference for c in conds)
    ood_scored = [c for c in scored if not c.is_reference] if has_ood else scored
    ood_scored, left_out = shared_conditions(ranked, models, ood_scored)
    ranks = ranked_in_tracks(robustness, ranked, models, ood_scored)  # external data apart
    prior = prior_effect(bs, prior_pairs(models), scored)
    note = ""
    if ceiling is not None:
        what = "the oracle, on the same examples" if oracle else "the ceiling"
        note = (
            f"{name} / {ceiling[0]} {name} (1 = as good as {what})"
            if hib
            else f"{name} − {ceiling[0]} {name} (excess over {what}; 0 = as good)"
        )
    robust = robustness_table(
        agg, task, name, ranks, ranked, ood_scored, note, _reference_scores(agg, task, name, ood_scored, ceiling, hib)
    )
    if left_out:
        robust.notes.append(_left_out_note(left_out))
    recorded = agg.metrics(task)
    controls = _controls()
    tables = [
        accuracy_table(agg, task, name, models, conds, info, oracle),
        *(
            metric_table(
                key, title, agg, task, table_metrics(infos, key, recorded), models, conds, label_shifts, oracle
            )
            for key, title in METRIC_TABLES
        ),
        robust,
        prior_table(task, name, prior, bs, scored, lambda m, c: agg.planned(task, m, c.shift, c.severity)),
        effective_table(task, name, effective_robustness(runset, task, name, hib, scored, controls), models, scored),
    ]
    others = undeclared_infos(infos, recorded, {m: agg.higher_is_better(m) for m in recorded - set(infos)})
    if others:
        table = metric_table("other", "Other recorded metrics", agg, task, others, models, conds)
        left = len(recorded - set(infos)) - len(others)
        if left:
            table.notes.append(f"the first {OTHER_SHOWN} by name; {left} more in aggregated.csv and leaderboard.json")
        tables.append(table)
    return TaskBoard(task, name, models, conds, tables, ranks, prior, bs, scored, oracle)


def _add_overview_and_training(lb: Leaderboard) -> None:
    """The overview across tasks, each task's Training table, and no unscored table or column."""
    from regshift_bench.leaderboard.fit import fit_frame, starved_models, training_table
    from regshift_bench.leaderboard.overview import overview_table, prune_boards

    lb.fits = fit_frame(lb.runs, [b.task for b in lb.boards])
    for board in lb.boards:
        table = training_table(board.task, lb.fits, board.models)
        if not any(row[-1].flag != "n/a" for row in table.rows):
            continue  # no model reported how its fit ended
        # After the task's own tables (their order is stable), before interpretation and
        # interventions; the accuracy table names the starved models on top.
        at = max(i for i, t in enumerate(board.tables) if t.key in TABLE_KEYS) + 1
        board.tables.insert(at, table)
        starved = starved_models(lb.fits, board.task)
        if starved and board.tables[0].key == "accuracy":
            board.tables[0].notes.append(
                f"Starved (a step or time budget stopped training, see Training): "
                f"{', '.join(starved)}; their numbers show the budget, not the model."
            )
    overview = overview_table(lb, _controls())
    lb.overview = [overview] if overview is not None else []
    prune_boards(lb, _controls())
