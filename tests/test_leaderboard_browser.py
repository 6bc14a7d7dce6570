"""The HTML report in a real headless browser (Debian's chromium; skipped without it)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from regshift_bench.leaderboard import build_leaderboard, publish
from regshift_bench.testing.synthetic_run import write_synthetic_run

ARTIFACTS = Path(os.environ.get("RSBENCH_TEST_ARTIFACTS",
                                Path(__file__).resolve().parents[1] / "test-artifacts"))


def _chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("chromium not installed (CI installs it with .ci/setup-browser.sh)")
    return exe


def _run(exe: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           f"--user-data-dir={profile}", "--no-first-run", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.browser
def test_report_renders_tables_and_plots_in_chromium(tmp_path):
    exe = _chromium()
    models = ("cnn", "cnn+motif", "<script>document.title='pwned'</script>")
    run = write_synthetic_run(tmp_path / "run", seeds=2, n_test=80, models=models,
                              shifts={"none": (0.0,), "gc_shift": (0.5, 1.0), "motif_loss": (1.0,)})
    out = tmp_path / "site"
    publish(build_leaderboard([run], n_boot=50), out)
    url = (out / "index.html").resolve().as_uri()
    dom = _run(exe, tmp_path / "profile", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert len(re.findall(r'<table class="lb" data-table="', html)) == 5 + 2  # + Findings, Anchors
    for key in ("accuracy", "calibration", "selective", "robustness", "prior", "findings",
                "anchors"):
        assert f'data-table="{key}"' in html
    # Each caption heads its own figure (never sits between two figures).
    plots = re.findall(r'<figure data-plot="([a-z_]+)"><figcaption>[^<]*</figcaption><svg', html)
    assert sorted(plots) == ["degradation", "drop_heatmap", "reliability", "risk_coverage"]
    assert "<title>regshift-bench leaderboard</title>" in html  # the model name ran no script
    assert "&lt;script&gt;document.title" in html
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "leaderboard.png"
    shot.unlink(missing_ok=True)
    res = _run(exe, tmp_path / "profile", "--window-size=1400,4000", "--hide-scrollbars",
               f"--screenshot={shot}", url)
    assert res.returncode == 0, res.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
