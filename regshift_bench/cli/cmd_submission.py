"""``rsbench submission check DIR``: re-score a submitted run and print one verdict."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.text import Text

from regshift_bench.cli.console import console

app = typer.Typer(
    help="Check submissions to the leaderboard (docs/submit.md).", no_args_is_help=True, rich_markup_mode=None
)


@app.command("check")
def check_command(
    folder: Annotated[
        Path, typer.Argument(help="submissions/<model>/<version>/: a run directory plus model_meta.toml.")
    ],
    against: Annotated[
        Optional[Path],
        typer.Option(
            "--against",
            help="Published leaderboard folder whose bundle the run must match "
            "(preset, suites, split digests, coverage).",
        ),
    ] = None,
) -> None:
    """Re-score every metric from the predictions and check digests, seeds, completeness."""
    from regshift_bench.submission.check import check_submission

    with console.status("re-scoring", spinner="dots"):
        verdict = check_submission(folder, against)
    style = "green" if verdict.ok else "red"
    console.print(Text(verdict.line(), style=style), soft_wrap=True)
    for reason in verdict.reasons:
        console.print(Text(f"  - {reason}"), soft_wrap=True)
    if not verdict.ok:
        raise typer.Exit(1)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="submission")
