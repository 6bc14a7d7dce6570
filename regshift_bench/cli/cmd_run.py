"""``rsbench run``: expand the grid and run it into a run directory."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from regshift_bench.cli.console import console, err_console, esc, plural, state

if TYPE_CHECKING:
    from regshift_bench.run_api import PreparedRun


# The options of `rsbench run`, one alias each: the command reads as a list of names, and stays
# short enough to read at a glance.
_All = Annotated[bool, typer.Option("--all", help="Every shipped suite.")]
_Tasks = Annotated[Optional[list[str]], typer.Option("--task", help="Task name or task-file path (repeatable).")]
_Suites = Annotated[Optional[list[str]], typer.Option("--suite", help="Suite name or file (repeatable).")]
_Models = Annotated[
    Optional[list[str]],
    typer.Option(
        "--model", help="Only this model (repeatable): NAME or NAME(key=value, ...), e.g. 'cnn(channels=32)'."
    ),
]
_Shifts = Annotated[
    Optional[list[str]],
    typer.Option(
        "--shift", help="Only this shift (repeatable; `none` is kept): NAME or NAME@SEVERITY, e.g. gc_shift@0.5."
    ),
]
_Explainers = Annotated[
    Optional[list[str]], typer.Option("--explainer", help="Run this explainer, scored on planted sites (repeatable).")
]
_Interventions = Annotated[
    Optional[list[str]],
    typer.Option(
        "--intervention",
        help="Also run this robustness intervention on every model "
        "(repeatable; `none` is kept): NAME or NAME(key=value, ...), "
        "see `rsbench list interventions`.",
    ),
]
_Seeds = Annotated[Optional[int], typer.Option("--seeds", help="Number of seeds (default: the preset's).")]
_Preset = Annotated[str, typer.Option("--preset", help="smoke | quick | standard | full.")]
_MaxSteps = Annotated[
    Optional[int],
    typer.Option(
        "--max-steps",
        help="Cap every model's optimizer steps (overrides the preset; starved cells are marked undertrained).",
    ),
]
_Device = Annotated[str, typer.Option("--device", help="auto | cpu | cuda.")]
_Out = Annotated[Optional[Path], typer.Option("--out", help="Run directory (default runs/<preset>).")]
_Executor = Annotated[str, typer.Option("--executor", help="local | ray.")]
_Workers = Annotated[int, typer.Option("--workers", help="Local process pool size on CPU.")]
_RayAddress = Annotated[Optional[str], typer.Option("--ray-address", help="Ray cluster address.")]
_Timeout = Annotated[Optional[float], typer.Option("--cell-timeout", help="Seconds before a cell is failed.")]
_Resume = Annotated[bool, typer.Option("--resume/--overwrite", help="Skip finished cells (default) or start over.")]
_Merge = Annotated[bool, typer.Option("--merge", help="Add this plan's cells to an --out that holds another plan.")]
_Against = Annotated[
    Optional[Path],
    typer.Option(
        "--against",
        help="A published leaderboard folder: run only the --model cells, after "
        "checking every split against its bundle's digests (docs/submit.md).",
    ),
]


def run_command(
    all_: _All = False,
    task: _Tasks = None,
    suite: _Suites = None,
    model: _Models = None,
    shift: _Shifts = None,
    explainer: _Explainers = None,
    intervention: _Interventions = None,
    seeds: _Seeds = None,
    preset: _Preset = "quick",
    max_steps: _MaxSteps = None,
    device: _Device = "auto",
    out: _Out = None,
    executor: _Executor = "local",
    workers: _Workers = 1,
    ray_address: _RayAddress = None,
    timeout: _Timeout = None,
    resume: _Resume = True,
    merge: _Merge = False,
    against: _Against = None,
) -> None:
    """Run every model x shift x seed of the chosen tasks into Parquet."""
    from regshift_bench.execute import RunInterrupted  # the library loads on use: a quick --help
    from regshift_bench.run_api import RunOptions, prepare

    prepared = prepare(
        RunOptions(
            all_suites=all_,
            tasks=task or [],
            suites=suite or [],
            models=model or [],
            shifts=shift or [],
            explainers=explainer or [],
            interventions=intervention or [],
            seeds=seeds,
            preset=preset,
            max_steps=max_steps,
            device=device,
            out=out,
            executor=executor,
            workers=workers,
            ray_address=ray_address,
            cell_timeout=timeout,
            resume=resume,
            merge=merge,
            against=against,
        )
    )
    _print_plan(prepared)
    try:
        summary = _execute_with_progress(prepared)
    except RunInterrupted as exc:
        err_console.print(f"[yellow]{esc(exc)}[/yellow]", soft_wrap=True)
        raise typer.Exit(130) from None
    _print_summary(prepared, summary)


def _print_plan(prepared: PreparedRun) -> None:
    """The plan line, and a line for each skipped suite, extension and uncached model."""
    for line in prepared.skipped:  # --all runs what the data at hand allows
        console.print(f"[yellow]skipped[/yellow] {esc(line)}", soft_wrap=True)
    s, run_dir = prepared.plan.summary(), prepared.run_dir
    console.print(
        f"[bold]plan[/bold]: {plural(s['cells'], 'cell')} in {plural(s['groups'], 'group')}"
        f" — {plural(len(s['tasks']), 'task')} {esc(', '.join(s['tasks']))}; "
        f"{plural(s['shifts'], 'shift setting')}; {plural(len(s['models']), 'model')}; "
        f"{plural(len(s['seeds']), 'seed')} {s['seeds']}; preset "
        f"{esc(prepared.options.preset)} -> {esc(run_dir)}",
        soft_wrap=True,
    )
    if prepared.against_settings:
        console.print(
            f"against {esc(prepared.options.against)}: "
            f"{plural(prepared.against_settings, 'data setting')} match the bundle's "
            "split digests",
            soft_wrap=True,
        )
    if prepared.extension:
        console.print(f"note: {esc(run_dir)}: {esc(prepared.extension)}", soft_wrap=True)
    for label, n in prepared.uncached:
        console.print(
            f"note: model {esc(label)} has no get_state/set_state, so trained "
            f"copies are not cached: it is retrained for each cell group "
            f"({plural(n, 'group')} here)",
            soft_wrap=True,
        )


def _execute_with_progress(prepared: PreparedRun) -> Any:
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("failed {task.fields[failed]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err_console, transient=False) as progress:
        bar = progress.add_task("cells", total=len(prepared.plan.cells), failed=0)
        failed = 0

        def on_start(total: int, done: int) -> None:
            progress.update(bar, completed=done)
            if done:
                console.print(f"resuming: {plural(done, 'finished cell')} kept")

        def on_outcome(cell: Any, outcome: Any) -> None:
            nonlocal failed
            failed += bool(outcome.status == "failed" or outcome.failed_rows)
            label = f"{cell.task}/{cell.shift}@{cell.severity:g}/{cell.model}"
            if cell.intervention != "none":
                label += f"/{cell.intervention}"
            progress.update(bar, advance=1, failed=failed, description=esc(label))

        return prepared.execute(on_start, on_outcome)


def _print_summary(prepared: PreparedRun, summary: Any) -> None:
    """The done line; one line per failed cell and exit code 1 when any failed."""
    from regshift_bench.execute import iter_failures

    reused = sum(o.reused_model for o in summary.outcomes)
    console.print(
        f"done: {plural(len(summary.outcomes), 'cell')} run ({reused} reused a trained "
        f"model), {summary.skipped_done} already finished, "
        f"{len(summary.failed)} with failures, {summary.seconds:.1f}s -> "
        f"{esc(prepared.run_dir)}",
        soft_wrap=True,
    )
    if summary.failed:
        for cell, o in iter_failures(summary, prepared.plan):
            what = o.error or f"{o.failed_rows} metric row(s) failed"
            err_console.print(
                f"[red]failed[/red] {esc(cell.task)}/{esc(cell.shift)}@{cell.severity:g}/"
                f"{esc(cell.model)}/seed{cell.seed}: {esc(what)}",
                soft_wrap=True,
            )
            if state.debug and o.traceback:  # also kept in the manifest's cell record
                err_console.print(esc(o.traceback.rstrip()), soft_wrap=True)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("run")(run_command)
