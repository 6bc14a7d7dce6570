"""Which files differ in meaning between two commits, not just in text.

A published run names the commit its cells were computed at. When the code has since
been reformatted, re-documented or changed only outside what a cell computes, a plain
``git diff`` is long although the numbers cannot differ. This script sorts every file
that differs under the given paths into:

- **text only**: Python whose syntax tree is the same once docstrings are dropped
  (formatting, comments, docstrings), or TOML that parses to the same table;
- **code**: everything else (a changed, added or removed file).

It prints one line per code file and a summary, and exits with status 1 when any code
differs, so ``code_drift.py PUBLISHED HEAD`` can gate a claim that a board still stands
for the shipped code. Pair it with ``compare_runs.py`` (cells re-run at HEAD) for the
files it lists.

Usage::

    python benchmarks/code_drift.py PUBLISHED_COMMIT          # against HEAD
    python benchmarks/code_drift.py PUBLISHED_COMMIT HEAD --paths regshift_bench plugins tasks
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
import tomllib
from pathlib import Path

DEFAULT_PATHS = ("regshift_bench", "plugins", "tasks")


def changed_files(repo: Path, a: str, b: str, paths: list[str]) -> list[str]:
    """Paths (relative to ``repo``) whose text differs between commits ``a`` and ``b``."""
    out = subprocess.run(
        ["git", "-C", str(repo), "diff", "--name-only", a, b, "--", *paths], check=True, capture_output=True, text=True
    ).stdout
    return [line for line in out.splitlines() if line]


def file_at(repo: Path, commit: str, path: str) -> bytes | None:
    """The bytes of ``path`` at ``commit``, or None where the file does not exist there."""
    proc = subprocess.run(["git", "-C", str(repo), "show", f"{commit}:{path}"], capture_output=True)
    return proc.stdout if proc.returncode == 0 else None


def _without_docstrings(tree: ast.AST) -> ast.AST:
    """``tree`` with the docstring of every module, class and function removed (in place)."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                # An emptied body would not be valid Python; `pass` keeps the two sides equal.
                node.body = body[1:] or [ast.Pass()]
    return tree


def meaning(path: str, data: bytes) -> object:
    """What a file means for comparison: its docstring-free syntax tree, its TOML table or its bytes.

    A file that does not parse is compared by its bytes.
    """
    try:
        if path.endswith(".py"):
            return ast.dump(_without_docstrings(ast.parse(data)), include_attributes=False)
        if path.endswith(".toml"):
            return tomllib.loads(data.decode("utf-8"))
    except (SyntaxError, ValueError, UnicodeDecodeError):
        pass
    return data


def classify(repo: Path, a: str, b: str, paths: list[str]) -> tuple[list[str], list[str]]:
    """Split the files that differ between ``a`` and ``b`` into (text only, code)."""
    text_only, code = [], []
    for path in changed_files(repo, a, b, paths):
        old, new = file_at(repo, a, path), file_at(repo, b, path)
        same = old is not None and new is not None and meaning(path, old) == meaning(path, new)
        (text_only if same else code).append(path)
    return text_only, code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", help="the earlier commit, e.g. the one a published run names")
    parser.add_argument("b", nargs="?", default="HEAD", help="the later commit (default HEAD)")
    parser.add_argument(
        "--paths", nargs="+", default=list(DEFAULT_PATHS), help=f"paths to compare (default: {' '.join(DEFAULT_PATHS)})"
    )
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args(argv)
    try:
        text_only, code = classify(args.repo, args.a, args.b, args.paths)
    except subprocess.CalledProcessError as exc:
        why = (exc.stderr.strip().splitlines() or ["no message"])[0]
        print(f"error: git could not compare {args.a} and {args.b}: {why}", file=sys.stderr)
        return 2
    for path in code:
        print(f"code differs: {path}")
    print(
        f"{args.a}..{args.b} under {' '.join(args.paths)}: {len(text_only) + len(code)} files differ "
        f"in text, {len(text_only)} only in formatting, comments or docstrings, {len(code)} in code"
    )
    return 1 if code else 0


if __name__ == "__main__":
    sys.exit(main())
