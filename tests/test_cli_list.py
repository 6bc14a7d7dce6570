"""`rsbench list` and `--help` as a new user meets them: full names, quiet pipes, light start."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
HEAVY = ("torch", "pandas", "scipy", "matplotlib", "captum", "pyarrow")


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "RSBENCH_DISABLE_PLUGIN_AUTOLOAD": "1", **extra}


def _rsbench(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "regshift_bench.cli", *args],
        capture_output=True,
        text=True,
        env=_env(**env),
        timeout=300,
    )


def test_help_imports_no_heavy_library():
    # `rsbench --help` (and building the CLI) must not import the numeric stack.
    code = (
        "import sys\nfrom regshift_bench.cli.main import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), timeout=300)
    assert out.returncode == 0, out.stderr
    assert "list" in out.stdout and "run" in out.stdout  # the help was printed
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout


@pytest.mark.parametrize("kind", ["models", "shifts", "metrics"])
def test_list_never_cuts_a_name_at_80_columns(kind):
    names = [r["name"] for r in json.loads(_rsbench("list", kind, "--json").stdout)]
    out = _rsbench("list", kind, COLUMNS="80")
    assert out.returncode == 0, out.stderr
    assert max(len(line) for line in out.stdout.splitlines()) <= 80
    first_cells = set(re.findall(r"^│ (\S+)\s", out.stdout, flags=re.M))
    assert set(names) <= first_cells, set(names) - first_cells
    assert "…" not in out.stdout


@pytest.mark.parametrize("args", [("list", "models"), ("list", "metrics", "--json")])
def test_list_into_a_closed_pipe_prints_no_traceback(args):
    # `rsbench list models | true`: the reader is gone before the first write (the
    # table is one write, smaller than a pipe's buffer, so `| head` may not break it).
    proc = subprocess.Popen(
        [sys.executable, "-m", "regshift_bench.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(COLUMNS="80"),
    )
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=300)
    assert "Traceback" not in err and "BrokenPipeError" not in err and "Exception" not in err, err
