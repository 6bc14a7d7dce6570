"""An out-of-tree plugin installed into a fresh virtual environment joins the grid."""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "rsbench-example-model"


@pytest.mark.slow
def test_example_plugin_installs_and_passes_check(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    # The fresh environment sees the dependencies already installed here (torch etc.)
    # through a .pth file, so the test installs only the project and the plugin.
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
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
    assert records["example"]["registered"] == {"model": ["example_kmer3"]}
    models = json.loads(subprocess.run([rsbench, "list", "models", "--json"], capture_output=True,
                                       text=True, env=env).stdout)
    assert "example_kmer3" in {m["name"] for m in models}
    check = subprocess.run([rsbench, "check", "example_kmer3"], capture_output=True, text=True, env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("PASS") == 5
    # Autoload off: the entry point is ignored, the built-ins remain.
    off = subprocess.run([rsbench, "plugins", "--json"], capture_output=True, text=True,
                         env={**env, "RSBENCH_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert "example" not in {r["name"] for r in json.loads(off.stdout)}
