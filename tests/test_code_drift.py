"""benchmarks/code_drift.py tells formatting and docstring edits from code changes."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parent.parent / "benchmarks" / "code_drift.py"
spec = importlib.util.spec_from_file_location("code_drift", SCRIPT)
code_drift = importlib.util.module_from_spec(spec)
spec.loader.exec_module(code_drift)

ORIGINAL = 'def f(x):\n    """Twice x."""\n    return x*2\n'
REFORMATTED = '# why: a comment\ndef f(x):\n    """Two times ``x``, reworded."""\n    return (\n        x * 2\n    )\n'
CHANGED = 'def f(x):\n    """Twice x."""\n    return x * 3\n'


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def _commit(repo: Path, files: dict[str, str]) -> str:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c")
    return _git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q")
    return tmp_path


def test_formatting_docstrings_and_comments_are_text_only(repo, capsys):
    a = _commit(repo, {"pkg/m.py": ORIGINAL, "tasks/t.toml": 'name = "x"\nn = 1\n'})
    b = _commit(repo, {"pkg/m.py": REFORMATTED, "tasks/t.toml": '# a comment\nname = "x"\nn   = 1\n'})
    assert code_drift.classify(repo, a, b, ["pkg", "tasks"]) == (["pkg/m.py", "tasks/t.toml"], [])
    assert code_drift.main([a, b, "--repo", str(repo), "--paths", "pkg", "tasks"]) == 0
    assert "2 only in formatting, comments or docstrings, 0 in code" in capsys.readouterr().out


def test_code_changes_added_and_removed_files_are_code(repo, capsys):
    a = _commit(repo, {"pkg/m.py": ORIGINAL, "pkg/gone.py": "X = 1\n", "tasks/t.toml": "n = 1\n"})
    (repo / "pkg" / "gone.py").unlink()
    b = _commit(repo, {"pkg/m.py": CHANGED, "pkg/new.py": "Y = 2\n", "tasks/t.toml": "n = 2\n"})
    text_only, code = code_drift.classify(repo, a, b, ["pkg", "tasks"])
    assert text_only == [] and sorted(code) == ["pkg/gone.py", "pkg/m.py", "pkg/new.py", "tasks/t.toml"]
    assert code_drift.main([a, b, "--repo", str(repo), "--paths", "pkg", "tasks"]) == 1
    assert "code differs: pkg/m.py" in capsys.readouterr().out


def test_an_unknown_commit_is_one_line(repo, capsys):
    _commit(repo, {"pkg/m.py": ORIGINAL})
    assert code_drift.main(["nope", "HEAD", "--repo", str(repo)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: git could not compare nope and HEAD") and err.count("\n") == 1
