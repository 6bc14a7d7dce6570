"""The CLI's console and shared options; library code never prints.

Every string that did not come from this package's own markup (a user's argument,
a plugin's summary, a path, an error message) goes through :func:`esc` before it
reaches rich: ``[...]`` in such text is literal, never markup (``test_ood[/NAME]``
would otherwise crash the renderer and ``E[(y-mu)^2]`` lose its brackets).
"""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.markup import escape

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


class State:
    """Options given before the subcommand."""

    debug: bool = False


state = State()


def esc(value: Any) -> str:
    """``str(value)`` with rich markup escaped, so brackets print as typed."""
    return escape(str(value))


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 group``, ``2 groups`` (``many`` for irregular plurals)."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def error_line(message: Any) -> None:
    """One red ``error:`` line on stderr; the message is printed literally."""
    err_console.print(f"[red]error:[/red] {esc(message)}", soft_wrap=True)


def print_json(obj: Any) -> None:
    """Print plain JSON (no colours) so ``--json`` output pipes into other tools."""
    print(json.dumps(obj, indent=2, sort_keys=True, default=str))
