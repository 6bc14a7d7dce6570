"""The HTML report: one self-contained file (inline CSS and SVG, no network, no script).

Every plugin-provided string goes through :func:`html.escape`; a
Content-Security-Policy that allows no scripts and no remote resources is a second
line of defence. Plots are inlined as SVG produced with text as glyph paths.
"""

from __future__ import annotations

import html
import re

from regshift_bench.leaderboard.build import Leaderboard
from regshift_bench.leaderboard.overview import leading, trailing
from regshift_bench.leaderboard.render_text import preset_warning, provenance_lines
from regshift_bench.leaderboard.tables import Cell, Table

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_CSS = """
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#222;max-width:1400px}
h1{font-size:1.6rem}h2{border-bottom:2px solid #ccc;padding-top:1rem}h3{margin-bottom:.3rem}
table.lb{border-collapse:collapse;margin:.4rem 0;font-variant-numeric:tabular-nums}
table.lb th,table.lb td{border:1px solid #ddd;padding:.25rem .5rem;vertical-align:top;text-align:right}
table.lb th{background:#f4f4f4}table.lb td:first-child,table.lb th:first-child,table.lb[data-table=robustness] td:nth-child(2){text-align:left}
table.lb tr:nth-child(even) td{background:#fafafa}
table.lb td{white-space:nowrap}td .s{display:block;color:#777;font-size:.8em;white-space:normal}
.flag-collapse,.flag-failed,.flag-hurts{color:#b00020;font-weight:600}
.flag-helps{color:#1b7f3b;font-weight:600}
.flag-partial,.flag-missing,.flag-incomplete{background:#fff6d6 !important}
.flag-na{color:#999}
.flag-reference{font-style:italic;color:#225;background:#eef3fb !important}
table.lb th.grp{background:#e8e8e8;font-weight:600;text-align:center}
.warning{background:#fff3cd;border:1px solid #e0b400;padding:.5rem 1rem;font-weight:600}
table.prov td{padding:.1rem .8rem .1rem 0}table.prov td:first-child{font-weight:600}
p.note{color:#555;font-size:.85em;max-width:70em;margin:.2rem 0 1rem}
figure{margin:1.5rem 0 2.5rem;padding-top:.5rem;border-top:1px solid #eee}
figure svg{max-width:100%;height:auto;display:block}
figcaption{font-weight:600;font-size:1rem;color:#333;margin-bottom:.4rem}
nav a{margin-right:1rem}
table.lb[data-table=findings] td,table.lb[data-table=anchors] td{white-space:normal;text-align:left;max-width:40em}
"""


def esc(value: object) -> str:
    """Escape any plugin-provided text for HTML text and attribute values."""
    return html.escape(str(value), quote=True)


def _slug(text: str, index: int) -> str:
    return f"t{index}-" + re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]


def _cell(cell: Cell, tag: str = "td") -> str:
    cls = f' class="flag-{re.sub(r"[^a-z]", "", cell.flag)}"' if cell.flag else ""
    title = f' title="{esc(cell.title)}"' if cell.title else ""
    sub = f'<span class="s">{esc(cell.sub)}</span>' if cell.sub else ""
    return f"<{tag}{cls}{title}>{esc(cell.shown())}{sub}</{tag}>"


def html_table(table: Table) -> str:
    """One table as an HTML ``<table>`` with its notes."""
    head = "".join(f"<th>{esc(c)}</th>" for c in table.columns)
    if any(table.groups):  # a band naming each run of columns' shift kind
        band, groups = [], table.groups
        i = 0
        while i < len(groups):
            j = i
            while j + 1 < len(groups) and groups[j + 1] == groups[i]:
                j += 1
            band.append(f'<th colspan="{j - i + 1}" class="grp">{esc(groups[i])}</th>')
            i = j + 1
        head = f"{''.join(band)}</tr><tr>{head}"
    body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in table.rows)
    notes = "".join(f'<p class="note">{esc(n)}</p>' for n in table.notes)
    grid = (
        (f'<table class="lb" data-table="{esc(table.key)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')
        if table.rows
        else ""
    )
    return f"<h3>{esc(table.title)}</h3>{grid}{notes}"


def _run_wide(table: Table, index: int, nav: list[str]) -> str:
    """A run-wide table as its own section (its link appended to ``nav``); a table
    without rows is its notes alone, with no heading and no link."""
    slug = _slug(table.key, index)
    if not table.rows:
        notes = "".join(f'<p class="note">{esc(n)}</p>' for n in table.notes)
        return f'<section id="{slug}" data-section="{esc(table.key)}">{notes}</section>'

    nav.append(f'<a href="#{slug}">{esc(table.title)}</a>')
    return (
        f'<section id="{slug}" data-section="{esc(table.key)}"><h2>{esc(table.title)}</h2>'
        f"{html_table(table).split('</h3>', 1)[1]}</section>"
    )


def render_html(lb: Leaderboard, svgs: dict[str, list[tuple[str, str, str]]] | None = None) -> str:
    """The report; ``svgs`` maps task -> [(slug, caption, inline SVG text)].

    The SVG text must come from :func:`regshift_bench.leaderboard.plots.svg_text`
    (matplotlib output, text drawn as paths); it is inserted verbatim.
    """
    prov = "".join(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>" for k, v in provenance_lines(lb))
    text = preset_warning(lb)
    warning = f'<p class="warning">{esc(text)}</p>' if text else ""
    nav: list[str] = []
    sections: list[str] = []
    first = leading(lb)  # Findings, then the overview across tasks
    for i, table in enumerate(first):
        sections.append(_run_wide(table, len(lb.boards) + i, nav))
    for i, board in enumerate(lb.boards):
        slug = _slug(board.task, i)
        nav.append(f'<a href="#{slug}">{esc(board.task)}</a>')
        parts = [
            f'<section id="{slug}" data-task="{esc(board.task)}"><h2>{esc(board.task)}</h2>',
            f'<p class="note">Accuracy metric: {esc(board.metric)}.</p>',
        ]
        parts += [html_table(t) for t in board.tables]
        for plot, caption, svg in (svgs or {}).get(board.task, []):
            # The caption heads its own figure, so it is never read as the previous one's.
            parts.append(
                f'<figure data-plot="{esc(plot)}">'
                f"<figcaption>{esc(caption)} — {esc(board.task)}</figcaption>{svg}</figure>"
            )
        parts.append("</section>")
        sections.append("".join(parts))
    for i, table in enumerate(trailing(lb)):  # run-wide, after the tasks: Anchors
        sections.append(_run_wide(table, len(lb.boards) + len(first) + i, nav))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>regshift-bench leaderboard</title><style>{_CSS}</style></head><body>"
        f'<h1>regshift-bench leaderboard</h1>{warning}<table class="prov">{prov}</table>'
        f"<nav>{''.join(nav)}</nav>{''.join(sections)}</body></html>\n"
    )
