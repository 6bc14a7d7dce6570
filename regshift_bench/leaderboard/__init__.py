"""The leaderboard: aggregate run directories, bootstrap ranks, render and publish.

Typical use::

    from regshift_bench.leaderboard import build_leaderboard, publish
    lb = build_leaderboard(["runs/quick"])
    publish(lb, "leaderboard/")

Modules: :mod:`.load` (read and merge runs), :mod:`.aggregate` (seed aggregation,
drops, reference rows), :mod:`.ranks` (paired bootstrap through the metric plugins
via :mod:`regshift_bench.bootstrap`, rank intervals, tie groups, prior effect),
:mod:`.metric_info` (what the metric plugins declare about display), :mod:`.tables` /
:mod:`.tables_boot` (the five tables), :mod:`.effective` (effective robustness),
:mod:`.declared` (what shifts and tasks declare: input vs label shifts, oracles),
:mod:`.findings` / :mod:`.findings_claims` / :mod:`.findings_breaks` (the registered
claims and each model's "what breaks it"), :mod:`.anchors` (registered published numbers),
:mod:`.overview` (the table across tasks read before them, and leaving out what nothing
scored), :mod:`.fit` (fit diagnostics and each task's Training table), :mod:`.render_text` (terminal, Markdown,
CSV, JSON), :mod:`.html`, :mod:`.plots`, :mod:`.publish`, :mod:`.run_summary`
(``rsbench runs show``). A synthetic run for tests and benchmarks is
:mod:`regshift_bench.testing.synthetic_run`.
"""

from __future__ import annotations

from regshift_bench.leaderboard.build import Leaderboard, TaskBoard, build_leaderboard
from regshift_bench.leaderboard.html import render_html
from regshift_bench.leaderboard.load import RunSet, load_runs
from regshift_bench.leaderboard.publish import FORMATS as publish_formats
from regshift_bench.leaderboard.publish import inline_svgs, publish
from regshift_bench.leaderboard.render_text import render_csv, render_json, render_markdown, terminal_renderables

__all__ = [
    "Leaderboard",
    "RunSet",
    "TaskBoard",
    "build_leaderboard",
    "inline_svgs",
    "load_runs",
    "publish",
    "publish_formats",
    "render_csv",
    "render_html",
    "render_json",
    "render_markdown",
    "terminal_renderables",
]
