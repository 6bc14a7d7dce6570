"""What the leaderboard knows about a metric: only what its plugin declares.

The leaderboard names no metric. Which table shows a metric, under which label,
in which order and format, comes from the metric plugin's optional metadata
(:class:`regshift_bench.api.Metric`: ``table``, ``label``, ``table_order``,
``number_format``), its direction and target, and its docstring's first line.
A recorded metric no loaded plugin declares is still aggregated (CSV, JSON) and
can be shown with ``--metric``; it just appears in no fixed table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from regshift_bench.errors import RegshiftError


@dataclass(frozen=True)
class MetricInfo:
    """Display metadata of one registered metric."""

    name: str
    table: str | None
    label: str
    order: int
    number_format: str
    higher_is_better: bool
    target: float | None
    summary: str
    #: Compares a split with ``test_id`` (needs ``reference``): an OOD detector, which can
    #: only see shifts that move the inputs; shown for input shifts only.
    detects_shift: bool = False


def _info(name: str, plugin: Any) -> MetricInfo:
    doc = (type(plugin).__doc__ or "").strip().splitlines()
    target = getattr(plugin, "target", None)
    return MetricInfo(
        name=name,
        table=getattr(plugin, "table", None),
        label=str(getattr(plugin, "label", "") or name),
        order=int(getattr(plugin, "table_order", 100)),
        number_format=str(getattr(plugin, "number_format", "") or ""),
        higher_is_better=bool(getattr(plugin, "higher_is_better", False)),
        target=None if target is None else float(target),
        summary=doc[0].rstrip(".") if doc else "",
        detects_shift="reference" in getattr(plugin, "needs", ()),
    )


def registered_infos() -> dict[str, MetricInfo]:
    """Metadata of every registered metric (a plugin that fails to build is left out)."""
    from regshift_bench.plugins import current, get_plugin

    out = {}
    for name in current().registry.names("metric"):
        try:
            out[name] = _info(name, get_plugin("metric", name))
        except (RegshiftError, TypeError):
            continue
    return out


def table_metrics(infos: dict[str, MetricInfo], table: str, present: set[str]) -> list[MetricInfo]:
    """Metrics a table shows: declared for ``table`` and recorded, in declared order."""
    chosen = [i for i in infos.values() if i.table == table and i.name in present]
    return sorted(chosen, key=lambda i: (i.order, i.name))


def default_metric(infos: dict[str, MetricInfo], present: set[str]) -> str | None:
    """The ranking metric when none is asked for: the accuracy table's first recorded one."""
    chosen = table_metrics(infos, "accuracy", present)
    return chosen[0].name if chosen else None


#: At most this many undeclared metrics share the 'Other recorded metrics' table (every
#: one is in aggregated.csv / leaderboard.json).
OTHER_SHOWN = 5


def undeclared_infos(
    infos: dict[str, MetricInfo], present: set[str], higher_is_better: dict[str, bool]
) -> list[MetricInfo]:
    """Recorded metrics no loaded plugin declares (at most :data:`OTHER_SHOWN`).

    A task or shift may score a split with metrics of its own (a variant-effect set's
    ``effect_pearson``, a challenge's official score); they have no plugin, so no table
    declares them, yet they are what such a split means.
    """
    tables = ("accuracy", "calibration", "selective")

    def counterpart(name: str) -> tuple[int, int, str]:
        # ``effect_pearson`` stands where ``pearson`` would: ordered by its counterpart's
        # table and place, so the table's first (± sd) metric is the accuracy one.
        for info in infos.values():
            if name.endswith("_" + info.name) and info.table in tables:
                return tables.index(info.table), info.order, name
        return len(tables), 0, name

    names = sorted(present - set(infos), key=counterpart)[:OTHER_SHOWN]
    return [
        MetricInfo(
            name=n,
            table="other",
            label=n,
            order=i,
            number_format="",
            higher_is_better=higher_is_better.get(n, False),
            target=None,
            summary="recorded by the task or shift itself (no metric plugin)",
        )
        for i, n in enumerate(names)
    ]
