"""The documentation site builds cleanly and every plugin-guide example works.

The guide pages include the files under ``docs/examples/`` verbatim, so running them
here is running what the pages show.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from regshift_bench import get_plugin, plugins

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"
#: example module -> (plugin kind, the name it registers)
PLUGIN_EXAMPLES = {
    "model_plugin": ("model", "kmer3_ridge"),
    "metric_plugin": ("metric", "scaled_mae"),
    "shift_plugin": ("shift", "high_gc_test"),
    "task_plugin": ("task", "tata"),
    "explainer_plugin": ("explainer", "occlusion"),
    "prior_plugin": ("prior", "dinuc"),
    "dataset_plugin": ("dataset", "my_assay"),
    "intervention_plugin": ("intervention", "bias_correct"),
}


@pytest.fixture
def examples_on_path(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLES))
    yield
    for module in PLUGIN_EXAMPLES:
        sys.modules.pop(module, None)


def test_every_example_file_is_listed_and_shown_in_a_page():
    # Other guides (interventions, ...) keep their own examples here and test them
    # in their own test files.
    files = {p.stem for p in EXAMPLES.glob("*.py")}
    assert set(PLUGIN_EXAMPLES) <= files
    pages = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").rglob("*.md"))
    for module in PLUGIN_EXAMPLES:
        assert f'--8<-- "docs/examples/{module}.py"' in pages, f"no page includes {module}.py"


@pytest.mark.parametrize("module", sorted(PLUGIN_EXAMPLES))
def test_guide_example_registers_and_passes_the_conformance_kit(module, examples_on_path, tmp_path, one_torch_thread):
    plugins.configure((module,))  # what `rsbench --plugin MODULE` does
    kind, name = PLUGIN_EXAMPLES[module]
    registered = get_plugin(kind, name)
    assert registered is not None
    example = importlib.import_module(module)
    report = example.check(tmp_path) if kind == "dataset" else example.check()
    failed = [f"{r.check}: {r.detail}" for r in report.results if not r.passed]
    assert report.ok and report.results, failed


def test_metric_example_refuses_nan_with_a_regshift_error(examples_on_path):
    import numpy as np

    from regshift_bench.api import Prediction
    from regshift_bench.errors import RegshiftError
    from regshift_bench.testing import toy_dataset

    metric = importlib.import_module("metric_plugin").ScaledMAE()
    data = toy_dataset(20, 30, 0)
    mean = np.asarray(data.y, dtype=float).copy()
    mean[2] = np.nan
    with pytest.raises(RegshiftError, match="scaled_mae"):
        metric(data, Prediction(mean, np.ones(len(data))))


def test_the_guides_check_command_loads_an_example_as_a_local_plugin():
    """The command the plugin overview shows, as a user runs it."""
    rsbench = Path(sys.executable).with_name("rsbench")
    if not rsbench.exists():
        pytest.skip("the rsbench console script is not installed next to this Python")
    env = {**os.environ, "PYTHONPATH": str(EXAMPLES), "RSBENCH_DISABLE_PLUGIN_AUTOLOAD": "1"}
    res = subprocess.run(
        [str(rsbench), "--plugin", "metric_plugin", "check", "scaled_mae"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert res.returncode == 0, (res.stdout + res.stderr)[-2000:]
    assert "PASS nan_refused" in res.stdout


def test_readme_is_short_and_starts_with_the_two_commands():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 200
    first_block = "\n".join(lines[: lines.index("```", lines.index("```bash") + 1)])
    assert "make run" in first_block and "make test" in first_block


def test_readme_links_point_at_files_that_exist():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = [t for t in re.findall(r"\]\(([^)#\s]+)", text) if "://" not in t]
    assert targets
    missing = [t for t in targets if not (ROOT / t).exists()]
    assert not missing, missing


def test_product_docs_carry_no_commit_hashes_or_issue_numbers():
    texts = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    # A commit of this project in backticks; an upstream source pinned as
    # ``owner/repo` @ `commit`` (docs/data.md) is provenance of public data, not history.
    bad = re.compile(r"issue #\d|this session|(?<!@ )`[0-9a-f]{7,40}`", re.IGNORECASE)
    hits = [
        f"{p.relative_to(ROOT)}:{i}"
        for p in texts
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if bad.search(line)
    ]
    assert not hits, hits


def test_mkdocs_build_is_strict_clean(tmp_path):
    if importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("material") is None:
        pytest.skip("mkdocs / mkdocs-material not installed (pip install -e '.[docs]')")
    res = subprocess.run(
        # No --quiet: it hides warnings from --strict, which then passes anything.
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            str(ROOT / "mkdocs.yml"),
            "-d",
            str(tmp_path / "site"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert res.returncode == 0, (res.stdout + res.stderr)[-4000:]
    assert (tmp_path / "site" / "index.html").is_file()
    api_page = tmp_path / "site" / "reference" / "api" / "index.html"
    assert "SeqDataset" in api_page.read_text(encoding="utf-8")
