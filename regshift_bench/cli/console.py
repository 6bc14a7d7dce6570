"""The CLI's console and shared options; library code never prints."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


class State:
    """Options given before the subcommand."""

    debug: bool = False


state = State()


def print_json(obj: Any) -> None:
    """Print plain JSON (no colours) so ``--json`` output pipes into other tools."""
    print(json.dumps(obj, indent=2, sort_keys=True, default=str))
