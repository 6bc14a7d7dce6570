"""No function of the core or the built-in plugins grows past ~80 lines."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parent.parent
LIMIT = 80
#: Known long functions, to be split (path:name -> lines at most). The list only shrinks:
#: it is empty, and a function over the limit fails the test.
KNOWN: dict[str, int] = {}


def long_functions() -> dict[str, int]:
    """``path:name`` -> line count (docstring included) of every function over LIMIT."""
    out = {}
    for folder in ("regshift_bench", "plugins"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    lines = (node.end_lineno or node.lineno) - node.lineno + 1
                    if lines > LIMIT:
                        out[f"{path.relative_to(ROOT)}:{node.name}"] = lines
    return out


def test_no_new_function_over_80_lines():
    found = long_functions()
    new = {k: v for k, v in found.items() if k not in KNOWN}
    grown = {k: (v, KNOWN[k]) for k, v in found.items() if k in KNOWN and v > KNOWN[k]}
    assert not new, f"split these functions (over {LIMIT} lines): {new}"
    assert not grown, f"these long functions grew (lines, allowed): {grown}"
