"""The leaderboard: aggregate run directories, bootstrap ranks, render and publish.

Typical use::

    from regshift_bench.leaderboard import build_leaderboard, publish
    lb = build_leaderboard(["runs/quick"])
    publish(lb, "leaderboard/")

Modules: :mod:`.load` (read and merge runs), :mod:`.aggregate` (seed aggregation,
drops), :mod:`.moments` / :mod:`.resample` (vectorised paired bootstrap),
:mod:`.ranks` (rank intervals, tie groups, prior effect), :mod:`.tables` /
:mod:`.tables_boot` (the five tables), :mod:`.render_text` (terminal, Markdown,
CSV, JSON), :mod:`.html`, :mod:`.plots`, :mod:`.publish`, :mod:`.synthetic` (a fake
run directory for tests and benchmarks).
"""

from __future__ import annotations

from regshift_bench.leaderboard.build import Leaderboard, TaskBoard, build_leaderboard
from regshift_bench.leaderboard.html import render_html
from regshift_bench.leaderboard.load import RunSet, load_runs
from regshift_bench.leaderboard.publish import inline_svgs, publish
from regshift_bench.leaderboard.render_text import (render_csv, render_json, render_markdown,
                                                    terminal_renderables)

__all__ = ["Leaderboard", "RunSet", "TaskBoard", "build_leaderboard", "inline_svgs", "load_runs",
           "publish", "render_csv", "render_html", "render_json", "render_markdown",
           "terminal_renderables"]
