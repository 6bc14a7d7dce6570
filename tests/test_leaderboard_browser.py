"""The HTML report in a real headless browser (Debian's chromium), and legible plots.

The browser tests skip, with the reason, where chromium is not installed (CI installs
it with ``.ci/setup-browser.sh``). The legibility test of the figures themselves needs
no browser: it measures every title and axis label with matplotlib's renderer.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from regshift_bench.leaderboard import build_leaderboard, publish
from regshift_bench.testing.synthetic_run import write_synthetic_run

ARTIFACTS = Path(os.environ.get("RSBENCH_TEST_ARTIFACTS", Path(__file__).resolve().parents[1] / "test-artifacts"))
MODELS = ("cnn", "cnn+motif", "<script>document.title='pwned'</script>")
#: Enough shifts for full rows of panels, and names long enough to need wrapping.
SHIFTS = {
    "none": (0.0,),
    "gc_shift": (0.5, 1.0),
    "motif_loss": (1.0,),
    "cooperativity_loss": (1.0,),
    "site_degeneration": (1.0,),
    "pwm_perturbation_of_enhancer_candidates": (1.0,),
}

# Appended to a copy of the report: for every figure, the bounding boxes of the text
# groups matplotlib writes directly under the figure (suptitle), an axes (titles) or an
# axis (axis labels), and of the legend; every overlapping pair, and every text box
# that leaves its SVG, is written into the DOM as JSON.
OVERLAP_SCRIPT = """
<script>
(function () {
  function boxes(svg) {
    var out = [];
    svg.querySelectorAll('g[id^="text_"], g[id^="legend_"]').forEach(function (g) {
      var parent = g.parentElement ? g.parentElement.id || "" : "";
      var legend = /^legend_/.test(g.id);
      if (!legend && !/^(figure_|axes_|matplotlib\\.axis_)/.test(parent)) return;
      var r = g.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) out.push({p: legend ? g.id : parent, r: [r.left, r.top, r.right, r.bottom]});
    });
    return out;
  }
  var report = {figures: 0, texts: 0, overlaps: [], clipped: []};
  document.querySelectorAll('figure[data-plot]').forEach(function (fig) {
    var svg = fig.querySelector('svg'); if (!svg) return;
    report.figures += 1;
    var s = svg.getBoundingClientRect();
    var b = boxes(svg); report.texts += b.length;
    for (var i = 0; i < b.length; i++) {
      var a = b[i].r;
      if (a[0] < s.left - 1 || a[2] > s.right + 1 || a[1] < s.top - 1 || a[3] > s.bottom + 1)
        report.clipped.push([fig.dataset.plot, b[i].p, a]);
      for (var j = i + 1; j < b.length; j++) {
        var c = b[j].r;
        var w = Math.min(a[2], c[2]) - Math.max(a[0], c[0]);
        var h = Math.min(a[3], c[3]) - Math.max(a[1], c[1]);
        if (w > 1 && h > 1) report.overlaps.push([fig.dataset.plot, b[i].p, b[j].p, a, c]);
      }
    }
  });
  var pre = document.createElement('pre'); pre.id = 'rsbench-overlaps';
  pre.textContent = JSON.stringify(report); document.body.appendChild(pre);
})();
</script>
"""


def _chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("chromium not installed (CI installs it with .ci/setup-browser.sh)")
    return exe


def _run(exe: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [
        exe,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--no-first-run",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, object]:
    """A published report of a synthetic run: (site folder, Leaderboard)."""
    tmp = tmp_path_factory.mktemp("browser")
    run = write_synthetic_run(tmp / "run", seeds=2, n_test=80, models=MODELS, shifts=SHIFTS)
    board = build_leaderboard([run], n_boot=50)
    publish(board, tmp / "site")
    return tmp / "site", board


def _check_figures(board) -> int:
    """Assert every figure's texts sit apart and inside it; returns how many were measured."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from regshift_bench.leaderboard.plots import task_figures

    checked = 0
    for task_board in board.boards:
        for slug, _, fig in task_figures(board, task_board):
            renderer = FigureCanvasAgg(fig).get_renderer()
            fig.draw(renderer)
            texts = [fig._suptitle] if fig._suptitle is not None else []
            for ax in fig.axes:
                if ax.get_visible():
                    texts += [ax.title, ax.xaxis.label, ax.yaxis.label]
            boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_text().strip()]
            boxes += [("legend", legend.get_window_extent(renderer)) for legend in fig.legends]
            page = fig.bbox
            for text, box in boxes:
                assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1, (
                    f"{slug}: {text!r} runs off the figure ({box.x0:.0f}..{box.x1:.0f} of {page.width:.0f} px)"
                )
            for (ta, a), (tb, b) in itertools.combinations(boxes, 2):
                assert not a.overlaps(b) or _area(a, b) <= 1.0, f"{slug}: {ta!r} overlaps {tb!r}"
            checked += len(boxes)
    return checked


def test_plot_titles_and_labels_do_not_overlap(report):
    """Every figure's suptitle, panel titles, axis labels and legend sit apart, inside it."""
    _, board = report
    assert _check_figures(board) > 20  # the grid above draws dozens of titles and labels


def test_single_panel_titles_stay_clear_of_the_legend(tmp_path):
    """With one shift every figure has one panel, and its long title still fits beside the legend."""
    run = write_synthetic_run(
        tmp_path / "run", seeds=2, n_test=60, models=("cnn", "kmer_ridge"), shifts={"none": (0.0,), "gc_shift": (1.0,)}
    )
    assert _check_figures(build_leaderboard([run], n_boot=20)) >= 20


def _area(a, b) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(w, 0.0) * max(h, 0.0)


@pytest.mark.browser
def test_report_renders_tables_and_plots_in_chromium(report, tmp_path):
    exe = _chromium()
    out, _ = report
    url = (out / "index.html").resolve().as_uri()
    dom = _run(exe, tmp_path / "profile", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert len(re.findall(r'<table class="lb" data-table="', html)) >= 5 + 1  # + Findings
    for key in ("accuracy", "calibration", "selective", "robustness", "prior", "findings"):
        assert f'data-table="{key}"' in html
    # A simulator-only run has no anchored task: its anchors are one line, not a table.
    assert 'data-table="anchors"' not in html and "for tasks not in this run" in html
    # Each caption heads its own figure (never sits between two figures).
    plots = re.findall(r'<figure data-plot="([a-z_]+)"><figcaption>[^<]*</figcaption><svg', html)
    assert len(plots) == html.count("<figure data-plot=")
    assert {"degradation", "drop_heatmap", "reliability", "risk_coverage"} <= set(plots)
    assert "<title>regshift-bench leaderboard</title>" in html  # the model name ran no script
    assert "&lt;script&gt;document.title" in html
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "leaderboard.png"
    shot.unlink(missing_ok=True)
    res = _run(exe, tmp_path / "profile", "--window-size=1400,4000", "--hide-scrollbars", f"--screenshot={shot}", url)
    assert res.returncode == 0, res.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000


def _measure(exe: str, html: str, tmp_path: Path) -> dict:
    """Lay ``html`` out in chromium and return what :data:`OVERLAP_SCRIPT` measured."""
    # The report forbids scripts (its Content-Security-Policy); this measuring copy
    # drops that one header so the script above can run.
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    if "</body>" not in html:
        html += "</body>"
    page = tmp_path / "measured.html"
    page.write_text(html.replace("</body>", OVERLAP_SCRIPT + "</body>"), encoding="utf-8")
    dom = _run(exe, tmp_path / "profile", "--window-size=1400,4000", "--dump-dom", page.resolve().as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    found = re.search(r'<pre id="rsbench-overlaps">(.*?)</pre>', dom.stdout, re.S)
    assert found, "the measuring script did not run"
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


@pytest.mark.browser
def test_plot_titles_do_not_overlap_as_chromium_lays_them_out(report, tmp_path):
    """Bounding boxes of every title, axis label and legend in the browser's layout."""
    exe = _chromium()
    out, _ = report
    result = _measure(exe, (out / "index.html").read_text(encoding="utf-8"), tmp_path)
    assert result["figures"] >= 4 and result["texts"] > 20, result
    assert result["overlaps"] == [], result["overlaps"][:5]
    assert result["clipped"] == [], result["clipped"][:5]


@pytest.mark.browser
def test_the_browser_measurement_finds_overlapping_titles(tmp_path):
    """The measurement itself can fail: a figure whose title sits on its panel's title."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from regshift_bench.leaderboard.plots import svg_text

    exe = _chromium()
    fig = Figure(figsize=(4, 3))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    fig.subplots_adjust(top=0.97)
    fig.suptitle("a figure title", y=0.99, va="top")
    ax.set_title("a panel title right under it")
    html = f'<html><body><figure data-plot="bad">{svg_text(fig)}</figure></body></html>'
    result = _measure(exe, html, tmp_path)
    assert result["figures"] == 1
    assert any(o[0] == "bad" for o in result["overlaps"]), result


@pytest.fixture(scope="module")
def two_family_report(tmp_path_factory) -> Path:
    """A published report of a simulator task (with its oracle) and a real-data task whose
    runs record no selective-prediction metric: that table has nothing scored."""
    tmp = tmp_path_factory.mktemp("overview")
    run = write_synthetic_run(
        tmp / "run",
        tasks=("sim", "real"),
        seeds=2,
        n_test=60,
        models=("mean", "cnn", "bilstm"),
        references=("source_oracle",),
        shifts={"none": (0.0,), "gc_shift": (1.0,), "motif_loss": (1.0,)},
        metrics=("mse", "pearson", "coverage_90", "z2"),
    )
    publish(build_leaderboard([run], n_boot=20), tmp / "site", plots=False)
    return tmp / "site"


@pytest.mark.browser
def test_overview_comes_first_and_unscored_tables_are_absent_in_chromium(two_family_report, tmp_path):
    """As the browser lays the page out: Findings, then the overview, then the task sections;
    no table made only of unscored cells."""
    exe = _chromium()
    url = (two_family_report / "index.html").resolve().as_uri()
    dom = _run(exe, tmp_path / "profile", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    order = re.findall(r'<section id="[^"]+" data-(section|task)="([^"]+)"', html)
    assert [v for _, v in order[:2]] == ["findings", "overview"], order
    assert {v for k, v in order if k == "task"} == {"sim", "real"}
    first_task = next(i for i, (k, _) in enumerate(order) if k == "task")
    assert all(k == "section" for k, _ in order[:first_task]) and first_task == 2
    assert html.count('data-table="overview"') == 1
    assert 'data-table="selective"' not in html  # nothing scored: the table is left out
    assert "Not shown, nothing scored on this task: Selective prediction" in html
    cells = re.findall(r"<td[^>]*>([^<]*)<", html)
    assert "not scored" not in cells
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "leaderboard-overview.png"
    shot.unlink(missing_ok=True)
    res = _run(exe, tmp_path / "profile", "--window-size=1400,2400", "--hide-scrollbars", f"--screenshot={shot}", url)
    assert res.returncode == 0, res.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
