"""The five tables of a task, as format-neutral cells the renderers turn into text.

Every table carries ``data``, the tidy numbers behind it (for CSV/JSON), and
``notes`` that state the rules used. Cell strings hold raw plugin-provided names;
escaping is the renderers' job (each knows its own syntax).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from regshift_bench.leaderboard.aggregate import REFERENCE, Aggregate, Condition
from regshift_bench.leaderboard.metric_info import MetricInfo

#: A metric with a calibrated value (``target``) where under-shooting is the failure
#: (``higher_is_better``, e.g. interval coverage) is flagged this far below it.
COLLAPSE_MARGIN = 0.15
#: Plain-text marks of flags; the notes name the same marks, so a legend always
#: matches what the table shows.
MARKS = {"collapse": "⚠", "helps": "▲", "hurts": "▼"}
UNDERTRAINED = "†"
#: Splits with fewer test examples are flagged: a 95% interval on a coverage of 0.9 from
#: n = 100 is ± 0.06, on Pearson r = 0.5 about ± 0.15 (Fisher z), too wide to rank on.
SMALL_N = 100
SMALL_N_MARK = "⚠n"
SMALL_N_NOTE = (
    f"{SMALL_N_MARK} marks a split with fewer than {SMALL_N} test examples: its "
    "intervals are wide (e.g. ± 0.06 on a coverage of 0.9, about ± 0.15 on a Pearson "
    "r of 0.5)."
)
UNDERTRAINED_NOTE = (
    f"{UNDERTRAINED} undertrained: a step or time budget stopped training while the "
    "validation loss was still improving (best epoch = last epoch), in the seeds "
    "counted next to the mark; its numbers understate the model."
)
#: The label of a cell's in-distribution value where it is not the ``none`` cells' value
#: (:meth:`~regshift_bench.leaderboard.aggregate.Aggregate.own_id`).
OWN_ID = "own ID"
REFERENCE_LABEL = Condition(REFERENCE, 0.0, "test_id").label
OWN_ID_NOTE = (
    f"{OWN_ID} = test_id of the same cells where it is not the {REFERENCE_LABEL} "
    "column's value: a shift that re-splits the data and retrains (a selection "
    "shift) tests in distribution on a split of its own, and a condition whose "
    "finished seeds differ averages other seeds; its drop is from that own ID."
)


@dataclass
class Cell:
    """One table cell: a main line, an optional second line, a flag, a tooltip and a mark."""

    text: str
    sub: str = ""
    # "", partial, missing, failed, n/a, collapse, incomplete, helps, hurts, reference
    flag: str = ""
    title: str = ""
    mark: str = ""  # e.g. UNDERTRAINED, shown after the text in every format

    def shown(self) -> str:
        """Main text with its flag's plain-text mark and any mark (every format)."""
        extra = [m for m in (MARKS.get(self.flag, ""), self.mark) if m]
        return " ".join([self.text, *extra])


@dataclass
class Table:
    """A rendered-ready table of one task.

    ``groups`` runs parallel to ``columns``: the shift kind of each condition
    column ("" where none), which renderers show as a header band.
    """

    key: str
    task: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    notes: list[str] = field(default_factory=list)
    data: pd.DataFrame = field(default_factory=pd.DataFrame)
    groups: list[str] = field(default_factory=list)


def fmt(value: Any, spec: str = "") -> str:
    """A number in at most 4 significant-looking characters (or ``spec``); an em dash when missing."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "—"
    if not math.isfinite(v):
        return "—"
    if spec:
        return format(v, spec)
    a = abs(v)
    if a >= 1000 or 0 < a < 1e-3:
        return f"{v:.2e}"
    return f"{v:.1f}" if a >= 100 else f"{v:.3f}"


def pm(mean: Any, sd: Any, spec: str = "") -> str:
    """``mean ± sd`` with the sd at the mean's precision (sd omitted for one seed)."""
    text = fmt(mean, spec)
    if fmt(sd) == "—" or text == "—":
        return text
    if "e" in text or "." not in text:
        return f"{text} ± {fmt(sd, spec)}"
    decimals = len(text.partition(".")[2])
    return f"{text} ± {float(sd):.{decimals}f}"


class Lookup:
    """Aggregated rows of one task and a set of metrics, keyed for cell building."""

    def __init__(self, agg: Aggregate, task: str, metrics: list[str]) -> None:
        vals = agg.values
        self.frame = vals.loc[(vals["task"] == task) & vals["metric"].isin(metrics)]
        self.rows = {
            (r["model"], r["shift"], r["severity"], r["split"], r["metric"]): r for r in self.frame.to_dict("records")
        }
        cells = agg.cells.loc[agg.cells["task"] == task]
        self.cells = {(r["model"], r["shift"], r["severity"]): r for r in cells.to_dict("records")}
        self.agg, self.task = agg, task
        self.skipped = self._keyed(agg.skipped, task)
        self.broken = self._keyed(agg.metric_failures, task)
        refs = agg.references
        refs = refs.loc[(refs["task"] == task) & refs["metric"].isin(metrics)] if len(refs) else refs
        self.reference_names = sorted(set(refs["reference"])) if len(refs) else []
        self.refs = {
            (r["reference"], r["shift"], r["severity"], r["split"], r["metric"]): r for r in refs.to_dict("records")
        }

    def ref(self, name: str, cond: Condition, metric: str) -> dict[str, Any] | None:
        return self.refs.get((name, cond.shift, cond.severity, cond.split, metric))

    def undertrained(self, model: str, cond: Condition | None = None) -> tuple[int, int]:
        """(undertrained seeds, planned seeds) of a model in one condition or in all."""
        rows = [
            r
            for k, r in self.cells.items()
            if k[0] == model and (cond is None or (k[1], k[2]) == (cond.shift, cond.severity))
        ]
        return (sum(int(r.get("n_undertrained", 0) or 0) for r in rows), sum(int(r["n_expected"]) for r in rows))

    @staticmethod
    def _keyed(frame: pd.DataFrame, task: str) -> dict[tuple[Any, ...], str]:
        part = frame.loc[frame["task"] == task]
        return {
            (r["model"], r["shift"], r["severity"], r["split"], r["metric"]): str(r["error"])
            for r in part.to_dict("records")
        }

    def get(self, model: str, cond: Condition, metric: str) -> dict[str, Any] | None:
        return self.rows.get((model, cond.shift, cond.severity, cond.split, metric))

    def absent(self, model: str, cond: Condition, metric: str) -> Cell:
        """The cell shown where no seed produced a value."""
        key = (model, cond.shift, cond.severity, cond.split, metric)
        reason = self.skipped.get(key)
        if reason is not None:
            return Cell("n/a", "skipped", "n/a", reason)
        error = self.broken.get(key, self.broken.get((*key[:3], "", metric)))
        if error is not None:
            return Cell("failed", "metric failed", "failed", error)
        info = self.cells.get((model, cond.shift, cond.severity))
        if info is None:  # the preset does not run this model under this shift
            return Cell("—", "not planned", "", NOT_PLANNED)
        if info["n_failed"]:
            return Cell("failed", f"{info['n_failed']}/{info['n_expected']} seeds failed", "failed", str(info["error"]))
        # A finished cell without a value on a split nobody scored with this metric is
        # "not scored", not "missing".
        where = (cond.shift, cond.severity, cond.split)
        if info["n_ok"] and where not in self.agg.recorded(self.task, metric):
            return Cell(
                "not scored",
                f"no {metric} on this split",
                "n/a",
                f"this split records no {metric} (e.g. a variant-effect set, scored per "
                "element by its own metrics): see 'Other recorded metrics'",
            )
        return Cell("missing", "not run", "missing")


#: Tooltip of a cell the runs' plans do not hold.
NOT_PLANNED = "not in the plan: the preset does not run this model under this shift"


def _seed_note(row: dict[str, Any]) -> str:
    return "" if row["status"] == "ok" else f"{row['n_seeds']}/{row['n_expected']} seeds"


def _join(*parts: str) -> str:
    return " · ".join(p for p in parts if p)


def _mark(look: Lookup, model: str, cond: Condition | None, cell: Cell) -> Cell:
    k, n = look.undertrained(model, cond)
    if k:
        cell.mark = f"{UNDERTRAINED}{k}/{n}" if cond is not None else UNDERTRAINED
    return cell


def _model_cell(look: Lookup, model: str, cells: list[Cell]) -> Cell:
    bad = [c for c in cells if c.flag in ("partial", "missing", "failed")]
    return _mark(look, model, None, Cell(model, "incomplete" if bad else "", "incomplete" if bad else ""))


def _groups(conds: list[Condition]) -> list[str]:
    return ["", *(("in-distribution" if c.is_reference else c.kind) for c in conds)]


def _matrix(
    key: str,
    task: str,
    title: str,
    look: Lookup,
    models: list[str],
    conds: list[Condition],
    make: Any,
    make_ref: Any,
    notes: list[str],
) -> Table:
    rows = []
    for model in models:
        cells = [_mark(look, model, c, make(model, c)) for c in conds]
        rows.append([_model_cell(look, model, cells), *cells])
    for name in look.reference_names:  # references: beside the models, never ranked
        rows.append([Cell(name, "reference · not ranked", "reference"), *(make_ref(name, c) for c in conds)])
    if look.reference_names:
        notes = [
            *notes,
            f"Reference rows ({', '.join(look.reference_names)}) are not models: "
            "what an ideal predictor of that kind scores on the same examples; "
            "shown for scale, never ranked.",
        ]
    if any(c.mark for row in rows for c in row):
        notes = [*notes, UNDERTRAINED_NOTE]
    return Table(
        key,
        task,
        title,
        ["model", *(c.label for c in conds)],
        rows,
        notes,
        look.frame.reset_index(drop=True),
        _groups(conds),
    )


def _n_text(row: dict[str, Any] | None) -> str:
    if row is None or not math.isfinite(float(row.get("n", math.nan))):
        return ""
    n = int(round(float(row["n"])))
    return f"n {n}" + (f" {SMALL_N_MARK}" if n < SMALL_N else "")


def _oracle_text(
    look: Lookup, oracle: str, cond: Condition, metric: str, row: dict[str, Any], hib: bool, spec: str
) -> str:
    """The value relative to the oracle on the same examples, and the drop beyond its drop."""
    ref = look.ref(oracle, cond, metric) if oracle else None
    if ref is None:
        return ""
    rel = (
        f"÷ oracle {fmt(row['mean'] / ref['mean'])}"
        if hib and ref["mean"]
        else f"− oracle {fmt(row['mean'] - ref['mean'], spec)}"
    )
    if cond.is_reference:
        return rel
    ident = look.ref(oracle, Condition(cond.shift, cond.severity, "test_id"), metric)
    if ident is None:
        return rel
    ref_drop = (ident["mean"] - ref["mean"]) if hib else (ref["mean"] - ident["mean"])
    return _join(rel, f"drop beyond oracle {fmt(row['drop_mean'] - ref_drop, spec)}")


def accuracy_table(
    agg: Aggregate,
    task: str,
    metric: str,
    models: list[str],
    conds: list[Condition],
    info: MetricInfo | None = None,
    oracle: str = "",
) -> Table:
    """(a) OOD value, ID value of the same cells and the drop, per model and shift.

    Beside them: the mse of the same cells (when ``metric`` is another), the number of
    test examples (flagged under :data:`SMALL_N`) and, on a task with an ``oracle``
    reference, the value relative to the oracle on the same examples (÷ for a
    higher-is-better metric, − otherwise) and the drop beyond the oracle's drop.
    """
    second = "mse" if metric != "mse" else ""
    look = Lookup(agg, task, [metric, *([second] if second else [])])
    spec = info.number_format if info else ""
    hib = agg.higher_is_better(metric)
    own = agg.own_id(task, metric)
    shown_own = any((m, c.shift, c.severity, c.split) in own for m in models for c in conds)

    def make(model: str, cond: Condition) -> Cell:
        row = look.get(model, cond, metric)
        if row is None:
            return look.absent(model, cond, metric)
        note = _seed_note(row)
        flag = "partial" if note else ""
        other = look.get(model, cond, second) if second else None
        extra = _join(
            f"{second} {fmt(other['mean'])}" if other else "",
            _n_text(row),
            _oracle_text(look, oracle, cond, metric, row, hib, spec),
        )
        if cond.is_reference:
            return Cell(pm(row["mean"], row["sd"], spec), _join("in-distribution", extra, note), flag)
        ident = OWN_ID if (model, cond.shift, cond.severity, cond.split) in own else "ID"
        return Cell(
            pm(row["mean"], row["sd"], spec),
            _join(f"{ident} {fmt(row['id_mean'], spec)}", f"drop {fmt(row['drop_mean'], spec)}", extra, note),
            flag,
        )

    def make_ref(name: str, cond: Condition) -> Cell:
        row = look.ref(name, cond, metric)
        return Cell("—", "", "reference") if row is None else Cell(pm(row["mean"], row["sd"], spec), "", "reference")

    direction = "higher" if agg.higher_is_better(metric) else "lower"
    what = f"{metric} ({info.summary})" if info and info.summary else metric
    notes = [
        f"{what} on the OOD test split ({direction} is better), mean ± sd over seeds; "
        f"ID = test_id of the same cells, the value in the {REFERENCE_LABEL} column; drop "
        "> 0 means worse out of distribution"
        + (f"; {second} of the same cells beside it" if second else "")
        + "; n = test examples of the split (mean over seeds)."
    ]
    if shown_own:
        notes.append(OWN_ID_NOTE)
    if oracle:
        notes.append(
            f"Oracle-relative ({oracle}: the source mechanism applied to the same test "
            "sequences): "
            + ("÷ oracle = value / the oracle's" if hib else "− oracle = value − the oracle's")
            + "; drop beyond oracle = the model's drop minus the oracle's drop on the "
            "same cells (> 0: the model loses more than the shift costs the oracle)."
        )
    if any(SMALL_N_MARK in _n_text(r) for r in look.rows.values()):
        notes.append(SMALL_N_NOTE)
    return _matrix("accuracy", task, f"Accuracy — {metric}", look, models, conds, make, make_ref, notes)


def _collapses(info: MetricInfo) -> bool:
    return info.target is not None and info.higher_is_better


def _metric_texts(
    infos: list[MetricInfo], found: set[tuple[Any, ...]], label_shifts: frozenset[str], get: Any, cond: Condition
) -> tuple[list[str], str, str]:
    """The texts of one cell of a several-metric table, its flag and its seed note.

    Parameters
    ----------
    infos : list of MetricInfo
        The table's metrics; the first is shown with ± sd.
    found : set of (shift, severity, split, metric)
        Where some model has a value: elsewhere a missing metric is left out, not dashed.
    label_shifts : frozenset of str
        Shifts that keep the test inputs (shift detectors are left out there).
    get : callable
        Metric name -> aggregated row (dict) or None.
    cond : Condition

    Returns
    -------
    texts : list of str
        ``"<label> <value>"`` per shown metric (``"<label> —"`` where missing).
    flag : str
        ``"collapse"`` or "".
    note : str
        The first metric's seed note ("" when every seed finished).
    """
    texts: list[str] = []
    flag, note = "", ""
    for info in infos:
        if info.detects_shift and cond.shift in label_shifts:
            continue  # the inputs did not move: σ² cannot tell the splits apart
        row = get(info.name)
        if row is None:
            if (cond.shift, cond.severity, cond.split, info.name) in found or not texts:
                texts.append(f"{info.label} —")
            continue
        value = pm(row["mean"], row["sd"], info.number_format) if not texts else fmt(row["mean"], info.number_format)
        texts.append(f"{info.label} {value}")
        note = note or (_seed_note(row) if "status" in row else "")
        if _collapses(info) and row["mean"] < info.target - COLLAPSE_MARGIN:  # type: ignore[operator]
            flag = "collapse"
    return texts, flag, note


def _versus_oracle(look: Lookup, oracle: str, first: MetricInfo, model: str, cond: Condition) -> str:
    """``"<label> − oracle <difference>"`` of the first metric, or "" without an oracle value."""
    row, ref = look.get(model, cond, first.name), look.ref(oracle, cond, first.name)
    if not oracle or row is None or ref is None:
        return ""
    return f"{first.label} − oracle {fmt(row['mean'] - ref['mean'], first.number_format)}"


def _metric_notes(
    look: Lookup, infos: list[MetricInfo], conds: list[Condition], label_shifts: frozenset[str], oracle: str
) -> list[str]:
    """The notes of a several-metric table: what each metric is and the rules applied."""
    notes = ["; ".join(f"{i.label} = {i.summary or i.name}" for i in infos) + "."]
    if oracle and look.reference_names and oracle in look.reference_names:
        notes.append(
            f"{infos[0].label} − oracle: the model's value minus {oracle}'s on the same "
            "examples (e.g. a coverage the oracle also loses under a label shift)."
        )
    hidden = [i.label for i in infos if i.detects_shift]
    if hidden and label_shifts & {c.shift for c in conds}:
        notes.append(
            f"{', '.join(hidden)} is shown for shifts that change the test inputs only: "
            "under a label shift the inputs are the source's, so no uncertainty can "
            "flag them."
        )
    for info in filter(_collapses, infos):
        notes.append(
            f"{MARKS['collapse']} marks {info.label} more than {COLLAPSE_MARGIN:g} "
            f"below its calibrated value {info.target:g}."
        )
    return notes


def metric_table(
    key: str,
    title: str,
    agg: Aggregate,
    task: str,
    infos: list[MetricInfo],
    models: list[str],
    conds: list[Condition],
    label_shifts: frozenset[str] = frozenset(),
    oracle: str = "",
) -> Table:
    """A table of several metrics per cell (the first with ± sd), as their plugins declare.

    A shift-detection metric (:attr:`MetricInfo.detects_shift`) is left out on
    ``label_shifts`` (shifts that keep the test inputs: nothing to detect). On a task
    with an ``oracle`` reference, the first metric's difference to the oracle's value
    on the same examples is shown beside it.
    """
    look = Lookup(agg, task, [i.name for i in infos])
    if not infos:
        return Table(
            key,
            task,
            title,
            ["model"],
            [[Cell(m)] for m in models],
            [f"no metric declared for the {key} table was recorded for this task"],
            look.frame,
        )

    # A metric no model has in a condition (e.g. OOD AUROC on the ID split) is left out there.
    found = {(r["shift"], r["severity"], r["split"], r["metric"]) for r in look.rows.values()}

    def make(model: str, cond: Condition) -> Cell:
        texts, flag, note = _metric_texts(infos, found, label_shifts, lambda m: look.get(model, cond, m), cond)
        if all(t.endswith("—") for t in texts):
            return look.absent(model, cond, infos[0].name)
        sub = _join(*texts[1:], _versus_oracle(look, oracle, infos[0], model, cond), note)
        return Cell(texts[0], sub, flag or ("partial" if note else ""))

    def make_ref(name: str, cond: Condition) -> Cell:
        texts, _, _ = _metric_texts(infos, found, label_shifts, lambda m: look.ref(name, cond, m), cond)
        if all(t.endswith("—") for t in texts):  # no value here: a bare dash, as a model's
            return Cell("—", "", "reference")
        return Cell(texts[0], _join(*texts[1:]), "reference")

    notes = _metric_notes(look, infos, conds, label_shifts, oracle)
    return _matrix(key, task, title, look, models, conds, make, make_ref, notes)
