"""An out-of-tree plugin installed into a fresh virtual environment joins the grid."""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from regshift_bench import plugins

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "rsbench-example-model"


@pytest.fixture
def example_on_path(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLE))
    plugins.configure(("rsbench_example_model",))


def test_example_model_passes_the_kit_in_process(example_on_path, one_torch_thread):
    from regshift_bench.testing import check_model

    report = check_model("example_cnn")
    assert report.ok, [f"{r.check}: {r.detail}" for r in report.results if not r.passed]
    assert [r.check for r in report.results if r.skipped] == []
    assert len(report.results) == 7


def test_example_model_honours_rng_device_and_budget(example_on_path, one_torch_thread):
    from torch.optim.optimizer import register_optimizer_step_post_hook

    from regshift_bench import get_plugin
    from regshift_bench.api import Budget
    from regshift_bench.testing import toy_dataset

    train, val, test = toy_dataset(256, 40, 1), toy_dataset(64, 40, 2), toy_dataset(64, 40, 3)

    def fit(seed, **kw):
        return get_plugin("model", "example_cnn", **kw).fit(
            train, val, rng=np.random.default_rng(seed), device="cpu", budget=Budget(max_epochs=3)
        )

    a, b, c = fit(0), fit(0), fit(1)
    np.testing.assert_array_equal(a.predict(test).mean, b.predict(test).mean)
    assert not np.array_equal(a.predict(test).mean, c.predict(test).mean)
    # A clock that passes 10 s per read: max_seconds=0.5 is spent when the first epoch
    # ends, so the fit must stop there (4 steps of 64 of 256) instead of running 10,000.
    from regshift_bench.testing.clock import SteppingClock

    steps = []
    hook = register_optimizer_step_post_hook(lambda *a: steps.append(1))
    try:
        with SteppingClock(10.0) as clock:
            get_plugin("model", "example_cnn", epochs=10_000, patience=10_000).fit(
                train, val, rng=np.random.default_rng(0), budget=Budget(max_seconds=0.5)
            )
    finally:
        hook.remove()
    assert clock.reads >= 2 and len(steps) == 256 // 64


@pytest.mark.slow
def test_example_plugin_installs_and_passes_check(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    # The fresh environment sees the dependencies already installed here (torch etc.)
    # through a .pth file, so the test installs only the project and the plugin.
    purelib = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "parent_env.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    pip = [str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation"]
    # A stock venv's setuptools may predate PEP 660 editable installs.
    subprocess.run([str(py), "-m", "pip", "install", "-q", "setuptools>=68", "wheel"], check=True)
    subprocess.run([*pip, "-e", str(ROOT)], check=True, capture_output=True)
    subprocess.run([*pip, str(EXAMPLE)], check=True, capture_output=True)
    env = {k: v for k, v in os.environ.items() if k not in ("RSBENCH_DISABLE_PLUGIN_AUTOLOAD", "PYTHONPATH")}
    rsbench = str(venv / "bin" / "rsbench")
    listing = subprocess.run([rsbench, "plugins", "--json"], capture_output=True, text=True, env=env)
    assert listing.returncode == 0, listing.stderr
    records = {r["name"]: r for r in json.loads(listing.stdout)}
    assert records["example"]["status"] == "ok"
    assert records["example"]["distribution"] == "rsbench-example-model"
    assert records["example"]["registered"] == {"model": ["example_cnn"]}
    models = json.loads(
        subprocess.run([rsbench, "list", "models", "--json"], capture_output=True, text=True, env=env).stdout
    )
    assert "example_cnn" in {m["name"] for m in models}
    check = subprocess.run([rsbench, "check", "example_cnn"], capture_output=True, text=True, env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("PASS") == 7
    # The plugin's name checks everything it registered.
    by_plugin = subprocess.run([rsbench, "check", "example"], capture_output=True, text=True, env=env)
    assert by_plugin.returncode == 0 and "model example_cnn" in by_plugin.stdout
    # Autoload off: the entry point is ignored, the built-ins remain.
    off = subprocess.run(
        [rsbench, "plugins", "--json"],
        capture_output=True,
        text=True,
        env={**env, "RSBENCH_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    assert "example" not in {r["name"] for r in json.loads(off.stdout)}
