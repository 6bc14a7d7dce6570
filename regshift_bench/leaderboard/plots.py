"""Leaderboard plots with matplotlib's object API (Agg canvas; SVG and PNG).

Figures are built with :class:`matplotlib.figure.Figure` directly, never pyplot, so
nothing global changes and nothing opens a window. Text is drawn as glyph paths
(``svg.fonttype = "path"``), so inline SVG carries no font and no raw
plugin-provided text; ``$`` is escaped so names never turn into mathtext.

Per task: degradation curves (metric vs severity, one panel per shift; severity 0
is the ``none`` reference, and a shift whose cells test in distribution on a split of
their own draws that own ID dotted instead: the ID the tables' drop is from),
risk–coverage curves and reliability diagrams at the severities shown in the tables
(from ``curves.parquet``; recomputed from the predictions when a run has none), a
model × shift heatmap of the drop, and the effective-robustness scatter (OOD vs ID per
condition with the fitted line). On a task with an oracle the degradation curves and
the heatmap draw the drop beyond the oracle's drop on the same cells (each drop from
the ID of the same cells, as in the tables): what the model loses that the shift does
not cost the source mechanism itself.
"""

from __future__ import annotations

import io
import math
import re
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from regshift_bench.bootstrap import Examples
from regshift_bench.errors import RegshiftError
from regshift_bench.leaderboard.aggregate import Condition
from regshift_bench.leaderboard.build import Leaderboard, TaskBoard

_RC: Any = {"svg.fonttype": "path", "svg.hashsalt": "rsbench", "font.size": 9}
_GRID = np.linspace(0.0, 1.0, 41)
_LEVELS = np.arange(1, 20) / 20


def _safe(name: str) -> str:
    """A label matplotlib shows verbatim (no mathtext, not hidden from legends)."""
    text = str(name).replace("$", r"\$")
    return "\u200b" + text if text.startswith("_") else text


def _wrap(text: str, width: int = 28) -> str:
    """Break a long panel title after ``/``, a space or ``_``, so it stays over its panel.

    A panel is about 2.3 in wide; at 9 pt about 30 characters fit before a title
    runs into its neighbour's (e.g. ``<shift>/<set>/<class> @1`` with long names).
    """
    if len(text) <= width:
        return text
    lines, line = [], ""
    for token in re.split(r"(?<=[/ _])", text):
        if line and len(line) + len(token) > width:
            lines.append(line.rstrip())
            line = token
        else:
            line += token
    return "\n".join([*lines, line])


def _panels(n: int, title: str, models: list[str]) -> tuple[Figure, list]:  # type: ignore[type-arg]
    """A grid of ``n`` panels with room on the right for a legend of ``models``.

    Margins are set by hand: constrained layout measures every tick label and
    took most of the drawing time on large leaderboards.
    """
    ncols = max(1, min(4, n))
    nrows = max(1, math.ceil(n / ncols))
    legend_in = 0.5 + 0.075 * max((len(m) for m in models), default=8)
    panels_in = 2.9 * ncols - 0.12  # from the left margin to the legend's column
    # The suptitle stays over the panels, clear of the legend in the top-right corner:
    # wrapped to their width (about 0.09 in a character at its 10.8 pt), left-aligned.
    title = _wrap(_safe(title), max(20, int(panels_in / 0.09)))
    extra_in = 0.2 * title.count("\n")
    width, height = 2.9 * ncols + 0.5 + legend_in, 2.4 * nrows + 0.65 + extra_in
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel().tolist()
    for ax in axes[n:]:
        ax.set_visible(False)
    # The top margin leaves room for a two-line panel title under the suptitle, which
    # is pinned 0.1 in from the top edge (a fractional y drifts into the panel titles
    # of a tall figure).
    fig.subplots_adjust(
        left=0.62 / width,
        right=1 - (legend_in + 0.1) / width,
        bottom=0.45 / height,
        top=1 - (0.75 + extra_in) / height,
        wspace=0.35,
        hspace=0.7,
    )
    fig.suptitle(title, x=0.62 / width, ha="left", y=1 - 0.1 / height, va="top")
    return fig, axes[:n]


def _legend(
    fig: Figure,
    axes: list,
    models: list[str],  # type: ignore[type-arg]
    extra: list[tuple[Any, str]] | None = None,
) -> None:
    """One figure legend of the panels' labelled lines, then the ``extra`` (handle, label)s."""
    handles, labels = [], []
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    for handle, label in extra or []:
        handles.append(handle)
        labels.append(label)
    if handles:
        fig.legend(handles, labels, loc="upper right", fontsize=9, frameon=False)


def _colors(models: list[str]) -> dict[str, tuple[float, ...]]:
    cmap = matplotlib.colormaps["tab10" if len(models) <= 10 else "tab20"]
    return {m: cmap(i % cmap.N) for i, m in enumerate(models)}


def oracle_drops(lb: Leaderboard, board: TaskBoard) -> dict[tuple[str, float, str], float]:
    """(shift, severity, split) -> the oracle's own drop in the board metric (oriented)."""
    refs = lb.agg.references
    if not board.oracle or refs.empty:
        return {}
    part = refs.loc[
        (refs["task"] == board.task) & (refs["reference"] == board.oracle) & (refs["metric"] == board.metric)
    ]
    value = {(r.shift, float(r.severity), r.split): float(r.mean) for r in part.itertuples()}
    sign = 1.0 if lb.agg.higher_is_better(board.metric) else -1.0
    return {
        k: sign * (value[(k[0], k[1], "test_id")] - v)
        for k, v in value.items()
        if k[2] != "test_id" and (k[0], k[1], "test_id") in value
    }


#: The legend key of the dotted lines that draw a series' own ID (see degradation_figure).
OWN_ID_KEY = "dotted: own ID"


def degradation_figure(lb: Leaderboard, board: TaskBoard) -> Figure | None:
    """Metric vs severity, one panel per shift (and named OOD set).

    Severity 0 is the ``none (ID)`` value. A series whose cells test in distribution on
    a split of their own (:meth:`~regshift_bench.leaderboard.aggregate.Aggregate.own_id`,
    e.g. a selection shift) starts at no such point: its own ID is drawn dotted at each
    severity instead, so the gap drawn is the drop the table shows. On a task with an
    oracle: the drop beyond the oracle's drop vs severity (0 = the model loses what the
    shift costs the oracle, no more).
    """
    if board.oracle and oracle_drops(lb, board):
        return _beyond_figure(lb, board)
    vals = lb.agg.values
    sel = vals.loc[(vals["task"] == board.task) & (vals["metric"] == board.metric)]
    ref = sel.loc[sel["shift"] == "none"].set_index("model")
    other = sel.loc[sel["shift"] != "none"]
    panels = sorted(other[["shift", "split"]].drop_duplicates().itertuples(index=False))
    if not panels:
        return None
    own = lb.agg.own_id(board.task, board.metric)
    colors = _colors(board.models)
    keyed = [*board.models, OWN_ID_KEY] if own else board.models  # the legend's width
    fig, axes = _panels(len(panels), f"{board.task}: {board.metric} vs severity (0: none (ID))", keyed)
    for ax, (shift, split) in zip(axes, panels):
        part = other.loc[(other["shift"] == shift) & (other["split"] == split)]
        for model in board.models:
            pts = part.loc[part["model"] == model].sort_values("severity")
            mine = any((model, shift, float(v), split) in own for v in pts["severity"])
            _series(ax, pts, None if mine or model not in ref.index else ref.loc[model], colors[model], model, mine)
        name = split.partition("/")[2]
        ax.set_title(_wrap(_safe(shift + (f" / {name}" if name else ""))))
        ax.set_xlabel("severity")
        ax.set_ylabel(_safe(board.metric))
        ax.grid(alpha=0.3)
    # One legend key for every dotted own-ID line (a handle drawn in no panel).
    key = Line2D([], [], ls=":", marker="o", ms=3, lw=1, mfc="none", color="0.4")
    _legend(fig, axes, board.models, [(key, OWN_ID_KEY)] if own else [])
    return fig


def _series(ax: Any, pts: pd.DataFrame, ident: Any, color: Any, model: str, own: bool) -> None:
    """One model's OOD values by severity, from its ``none`` value (``ident``) at 0, or
    with its own ID dotted at each severity (``own``)."""
    x, y, e = list(pts["severity"]), list(pts["mean"]), list(pts["sd"].fillna(0))
    if ident is not None:
        x, y, e = [0.0, *x], [float(ident["mean"]), *y], [float(np.nan_to_num(ident["sd"])), *e]
    if not x:
        return
    ax.errorbar(x, y, yerr=e, marker="o", ms=3, lw=1, capsize=2, color=color, label=_safe(model))
    if own:
        ax.plot(list(pts["severity"]), list(pts["id_mean"]), ls=":", marker="o", ms=3, lw=1, mfc="none", color=color)


def _beyond_figure(lb: Leaderboard, board: TaskBoard) -> Figure | None:
    """Drop beyond the oracle's vs severity, one panel per shift (and named OOD set)."""
    base = oracle_drops(lb, board)
    vals = lb.agg.values
    sel = vals.loc[(vals["task"] == board.task) & (vals["metric"] == board.metric) & (vals["shift"] != "none")]
    sel = sel.assign(
        beyond=[
            d - base.get((s, float(v), p), np.nan)
            for d, s, v, p in zip(sel["drop_mean"], sel["shift"], sel["severity"], sel["split"])
        ]
    )
    panels = sorted(sel[["shift", "split"]].drop_duplicates().itertuples(index=False))
    if not panels:
        return None
    colors = _colors(board.models)
    # The drop is the table's: from the ID of the same cells (their own test_id), for the
    # model and the oracle alike.
    fig, axes = _panels(
        len(panels), f"{board.task}: {board.metric} drop from cells' ID, beyond {board.oracle}'s", board.models
    )
    for ax, (shift, split) in zip(axes, panels):
        part = sel.loc[(sel["shift"] == shift) & (sel["split"] == split)]
        for model in board.models:
            pts = part.loc[part["model"] == model].sort_values("severity")
            if len(pts):
                ax.plot(
                    [0.0, *pts["severity"]],
                    [0.0, *pts["beyond"]],
                    marker="o",
                    ms=3,
                    lw=1,
                    color=colors[model],
                    label=_safe(model),
                )
        ax.axhline(0.0, color="0.5", lw=0.8)
        name = split.partition("/")[2]
        ax.set_title(_wrap(_safe(shift + (f" / {name}" if name else ""))))
        ax.set_xlabel("severity")
        ax.set_ylabel(_safe(f"drop beyond {board.oracle}"))
        ax.grid(alpha=0.3)
    _legend(fig, axes, board.models)
    return fig


def effective_figure(board: TaskBoard) -> Figure | None:
    """OOD vs ID per condition, each model's seed means, with the fitted line."""
    table = next((t for t in board.tables if t.key == "effective"), None)
    if table is None or table.data.empty:
        return None
    frame = table.data
    panels = sorted(frame[["shift", "severity", "split"]].drop_duplicates().itertuples(index=False))
    scale = str(frame["scale"].iloc[0])
    label = f"artanh({board.metric})" if scale == "fisher_z" else board.metric
    colors = _colors(board.models)
    fig, axes = _panels(len(panels), f"{board.task}: effective robustness (OOD vs ID {label})", board.models)
    for ax, (shift, severity, split) in zip(axes, panels):
        part = frame.loc[(frame["shift"] == shift) & (frame["severity"] == severity) & (frame["split"] == split)]
        for r in part.itertuples():
            ax.scatter(
                [r.id],
                [r.ood],
                s=18,
                color=colors.get(r.model, (0.3, 0.3, 0.3, 1.0)),
                marker="x" if r.control else "o",
                label=_safe(r.model),
            )
        slope, intercept = float(part["slope"].iloc[0]), float(part["intercept"].iloc[0])
        if np.isfinite(slope):
            xs = np.linspace(float(part["id"].min()), float(part["id"].max()), 2)
            ax.plot(xs, intercept + slope * xs, color="0.3", lw=1)
        name = split.partition("/")[2]
        ax.set_title(_wrap(_safe(f"{shift}{'/' + name if name else ''} @{severity:g}")))
        ax.set_xlabel(_safe(f"ID {label}"))
        ax.set_ylabel(_safe(f"OOD {label}"))
        ax.grid(alpha=0.3)
    _legend(fig, axes, board.models)
    return fig


def _curve_plugins() -> list[Any]:
    """Registered metric plugins that draw a curve (override ``Metric.curve``)."""
    from regshift_bench.api import Metric
    from regshift_bench.plugins import current, get_plugin

    out = []
    for name in current().registry.names("metric"):
        try:
            plugin = get_plugin("metric", name)
        except Exception:  # a broken plugin draws nothing; its rows say why
            continue
        if type(plugin).curve is not Metric.curve:
            out.append(plugin)
    return out


def _from_predictions(lb: Leaderboard, board: TaskBoard, kind: str) -> pd.DataFrame:
    """Curve points recomputed from predictions by the metric plugins that draw
    ``kind``: (model, label, seed, x, y). Used when a run kept no curves."""
    plan = lb.runs.plan
    ok = plan.loc[(plan["task"] == board.task) & (plan["status"] == "ok")]
    plugins = _curve_plugins()
    rows = []
    for cond in board.plotted():
        part = ok.loc[(ok["shift"] == cond.shift) & (ok["severity"] == cond.severity)]
        for model, seed, src, cell in part[["model", "seed", "src", "cell"]].itertuples(index=False):
            pred = lb.runs.predictions(int(src), str(cell), cond.split)
            if pred is None or not len(pred["row"]):
                continue
            ex = Examples.of(*(pred[c] for c in ("y", "mean", "var", "y_true", "noise_var")))
            for plugin in plugins:
                try:
                    frame = plugin.curve(ex.dataset(), ex.prediction())
                except RegshiftError:
                    continue
                if frame is None or "curve" not in frame.columns:
                    continue
                frame = frame.loc[frame["curve"] == kind]
                if len(frame):
                    rows.append(
                        pd.DataFrame(
                            {
                                "model": model,
                                "label": cond.label,
                                "seed": seed,
                                "x": frame["x"].to_numpy(),
                                "y": frame["y"].to_numpy(),
                            }
                        )
                    )
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["model", "label", "seed", "x", "y"])


def curve_points(lb: Leaderboard, board: TaskBoard, kind: str) -> pd.DataFrame:
    """Points of curve ``kind`` (risk_coverage | reliability) for the shown conditions."""
    curves = lb.runs.curves()
    sel = curves.loc[(curves["task"] == board.task) & (curves["curve"] == kind)]
    if sel.empty:
        return _from_predictions(lb, board, kind)
    labels = {(c.shift, c.severity, c.split): c.label for c in board.plotted()}
    key = list(zip(sel["shift"], sel["severity"], sel["split"]))
    sel = sel.assign(label=[labels.get(k) for k in key]).dropna(subset=["label"])
    return sel[["model", "label", "seed", "x", "y"]]


def curve_figure(lb: Leaderboard, board: TaskBoard, kind: str) -> Figure | None:
    """Risk–coverage curves or reliability diagrams, seed-averaged on a common grid."""
    pts = curve_points(lb, board, kind)
    if pts.empty:
        return None
    labels = [c.label for c in board.plotted() if c.label in set(pts["label"])]
    colors = _colors(board.models)
    title = "risk–coverage" if kind == "risk_coverage" else "reliability (observed vs nominal coverage)"
    fig, axes = _panels(len(labels), f"{board.task}: {title}", board.models)
    for ax, label in zip(axes, labels):
        part = pts.loc[pts["label"] == label]
        for model in board.models:
            seeds = part.loc[part["model"] == model]
            if seeds.empty:
                continue
            grid = _LEVELS if kind == "reliability" else _GRID[1:]
            ys = [np.interp(grid, *_sorted(g)) for _, g in seeds.groupby("seed")]
            ax.plot(grid, np.mean(ys, axis=0), lw=1.2, color=colors[model], label=_safe(model))
        if kind == "reliability":
            ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=0.8)
            ax.set_xlabel("nominal coverage")
            ax.set_ylabel("observed coverage")
        else:
            ax.set_xlabel("coverage")
            ax.set_ylabel("risk (MSE)")
        ax.set_title(_wrap(_safe(label)))
        ax.grid(alpha=0.3)
    _legend(fig, axes, board.models)
    return fig


def _sorted(group: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(group["x"].to_numpy(), kind="stable")
    return group["x"].to_numpy()[order], group["y"].to_numpy()[order]


def text_color(rgba: tuple[float, ...]) -> str:
    """Black or white, whichever reads better on background ``rgba`` (WCAG luminance)."""

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(float(c)) for c in rgba[:3])
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    # Contrast with black is (L + 0.05) / 0.05, with white 1.05 / (L + 0.05); equal at L ≈ 0.179.
    return "black" if luminance > 0.179 else "white"


def drop_heatmap(lb: Leaderboard, board: TaskBoard) -> Figure | None:
    """Model × shift heatmap of the mean drop (positive = worse out of distribution)."""
    conds: list[Condition] = [c for c in board.plotted() if not c.is_reference]
    if not conds:
        return None
    vals = lb.agg.values
    sel = vals.loc[(vals["task"] == board.task) & (vals["metric"] == board.metric)]
    base = oracle_drops(lb, board)  # empty without an oracle: raw drops
    lookup = {
        (r.model, r.shift, r.severity, r.split): r.drop_mean
        - base.get((r.shift, float(r.severity), r.split), np.nan if base else 0.0)
        for r in sel.itertuples()
    }
    grid = np.array(
        [[lookup.get((m, c.shift, c.severity, c.split), np.nan) for c in conds] for m in board.models], dtype=float
    )
    fig = Figure(figsize=(1.1 * len(conds) + 2.5, 0.35 * len(board.models) + 1.8), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    span = float(np.nanmax(np.abs(grid))) if np.isfinite(grid).any() else 1.0
    cmap = matplotlib.colormaps["RdBu_r"].with_extremes(bad="#dddddd")
    image = ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, vmin=-span or -1, vmax=span or 1, aspect="auto")
    ax.set_xticks(range(len(conds)), [_safe(c.label) for c in conds], rotation=30, ha="right")
    ax.set_yticks(range(len(board.models)), [_safe(m) for m in board.models])
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            value = grid[i, j]
            face = cmap(image.norm(value)) if np.isfinite(value) else (0.87, 0.87, 0.87, 1.0)
            ax.text(
                j,
                i,
                "—" if not np.isfinite(value) else f"{value:.2f}",
                ha="center",
                va="center",
                fontsize=8,
                color=text_color(tuple(face)),
            )
    beyond = f" beyond {board.oracle}'s" if base else ""
    fig.colorbar(image, ax=ax, label=_safe(f"drop in {board.metric}{beyond}"))
    ax.set_title(_safe(f"{board.task}: drop in {board.metric}{beyond} (ID − OOD, oriented)"))
    return fig


def task_figures(lb: Leaderboard, board: TaskBoard) -> list[tuple[str, str, Figure]]:
    """(slug, caption, figure) for every plot of a task that has data."""
    with matplotlib.rc_context(_RC):
        made = [
            ("degradation", "Degradation curves", degradation_figure(lb, board)),
            ("risk_coverage", "Risk–coverage curves", curve_figure(lb, board, "risk_coverage")),
            ("reliability", "Reliability diagrams", curve_figure(lb, board, "reliability")),
            (
                "drop_heatmap",
                "Drop heatmap" + (" (beyond the oracle)" if board.oracle else ""),
                drop_heatmap(lb, board),
            ),
            ("effective_robustness", "Effective robustness: OOD vs ID with the fitted line", effective_figure(board)),
        ]
        from regshift_bench.leaderboard.interpretation import KEY, interpretation_figure

        made += [
            ("interpretation", "Interpretation: site auROC", interpretation_figure(t))
            for t in board.tables
            if t.key == KEY
        ]
    return [(slug, cap, fig) for slug, cap, fig in made if fig is not None]


def svg_text(fig: Figure) -> str:
    """The figure as an SVG element (no XML prolog), for inlining in HTML."""
    buf = io.StringIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg") :]


def save_figure(fig: Figure, stem: Path) -> list[Path]:
    """Write ``stem.svg`` and ``stem.png``; returns both paths."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context(_RC):
        fig.savefig(stem.with_suffix(".svg"), format="svg", metadata={"Date": None})
        fig.savefig(stem.with_suffix(".png"), format="png", dpi=110, metadata={"Software": None})
    return [stem.with_suffix(".svg"), stem.with_suffix(".png")]
