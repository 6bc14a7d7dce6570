"""``rsbench run``: expand the grid and run it into a run directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from regshift_bench import plan as planning
from regshift_bench.cli.console import console, err_console, esc, plural
from regshift_bench.errors import RegshiftError
from regshift_bench.execute import RunInterrupted, check_run_dir, extension_note, iter_failures, run_plan


def _note_uncached(the_plan: planning.Plan) -> None:
    """Say once per model that one without get_state is retrained for every group."""
    for label, n in planning.models_without_cache(the_plan):
        console.print(f"note: model {esc(label)} has no get_state/set_state, so trained "
                      f"copies are not cached: it is retrained for each cell group "
                      f"({plural(n, 'group')} here)", soft_wrap=True)


def run_command(
    all_: Annotated[bool, typer.Option("--all", help="Every shipped suite.")] = False,
    task: Annotated[Optional[list[str]], typer.Option("--task", help="Task name or task-file path (repeatable).")] = None,
    suite: Annotated[Optional[list[str]], typer.Option("--suite", help="Suite name or file (repeatable).")] = None,
    model: Annotated[Optional[list[str]], typer.Option(
        "--model", help="Only this model (repeatable): NAME or NAME(key=value, ...), "
                        "e.g. 'cnn(channels=32)'.")] = None,
    shift: Annotated[Optional[list[str]], typer.Option(
        "--shift", help="Only this shift (repeatable; `none` is kept): NAME or "
                        "NAME@SEVERITY, e.g. gc_shift@0.5.")] = None,
    explainer: Annotated[Optional[list[str]], typer.Option(
        "--explainer", help="Run this explainer, scored on planted sites (repeatable).")] = None,
    seeds: Annotated[Optional[int], typer.Option("--seeds", help="Number of seeds (default: the preset's).")] = None,
    preset: Annotated[str, typer.Option("--preset", help="smoke | quick | standard | full.")] = "quick",
    max_steps: Annotated[Optional[int], typer.Option("--max-steps", min=1, help="Cap every model's optimizer steps (overrides the preset; starved cells are marked undertrained).")] = None,
    device: Annotated[str, typer.Option("--device", help="auto | cpu | cuda.")] = "auto",
    out: Annotated[Optional[Path], typer.Option("--out", help="Run directory (default runs/<preset>).")] = None,
    executor: Annotated[str, typer.Option("--executor", help="local | ray.")] = "local",
    workers: Annotated[int, typer.Option("--workers", help="Local process pool size on CPU.")] = 1,
    ray_address: Annotated[Optional[str], typer.Option("--ray-address", help="Ray cluster address.")] = None,
    timeout: Annotated[Optional[float], typer.Option("--cell-timeout", help="Seconds before a cell is failed.")] = None,
    resume: Annotated[bool, typer.Option("--resume/--overwrite", help="Skip finished cells (default) or start over.")] = True,
    merge: Annotated[bool, typer.Option(
        "--merge", help="Add this plan's cells to an --out that holds another plan.")] = False,
) -> None:
    """Run every model x shift x seed of the chosen tasks into Parquet."""
    from regshift_bench import provenance

    # Names first: a misspelt --model/--shift gets did-you-mean whatever else is missing.
    planning.check_selection(model or [], shift or [])
    if explainer:  # unknown names fail before any planning
        from regshift_bench import plugins

        for name in explainer:
            plugins.current().registry.get("explainer", name)
    device = provenance.resolve_device(device)  # no CUDA: refused before any planning
    suites = planning.select_suites(all_, task or [], suite or [])
    if all_:  # --all runs what the data at hand allows; each skipped suite is named once
        from regshift_bench.availability import runnable_suites

        suites, skipped = runnable_suites(suites)
        for gone in skipped:
            console.print(f"[yellow]skipped[/yellow] {esc(gone.line())}", soft_wrap=True)
    the_plan = planning.expand(suites, preset, models=model or [], shifts=shift or [], seeds=seeds,
                               max_steps=max_steps, explainers=explainer or [])
    run_dir = out or Path("runs") / preset
    previous = check_run_dir(the_plan, run_dir, overwrite=not resume, merge=merge)  # before output
    s = the_plan.summary()
    console.print(f"[bold]plan[/bold]: {plural(s['cells'], 'cell')} in {plural(s['groups'], 'group')}"
                  f" — {plural(len(s['tasks']), 'task')} {esc(', '.join(s['tasks']))}; "
                  f"{plural(s['shifts'], 'shift setting')}; {plural(len(s['models']), 'model')}; "
                  f"{plural(len(s['seeds']), 'seed')} {s['seeds']}; preset {esc(preset)} -> "
                  f"{esc(run_dir)}", soft_wrap=True)
    if extension_note(previous, the_plan):
        console.print(f"note: {esc(run_dir)}: {extension_note(previous, the_plan)}", soft_wrap=True)
    _note_uncached(the_plan)
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("failed {task.fields[failed]}"), TimeElapsedColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, console=err_console, transient=False) as progress:
            bar = progress.add_task("cells", total=len(the_plan.cells), failed=0)
            failed = 0

            def on_start(total: int, done: int) -> None:
                progress.update(bar, completed=done)
                if done:
                    console.print(f"resuming: {plural(done, 'finished cell')} kept")

            def on_outcome(cell: planning.Cell, outcome: object) -> None:
                nonlocal failed
                failed += bool(getattr(outcome, "status") == "failed" or getattr(outcome, "failed_rows"))
                label = f"{cell.task}/{cell.shift}@{cell.severity:g}/{cell.model}"
                progress.update(bar, advance=1, failed=failed, description=esc(label))

            summary = run_plan(the_plan, run_dir, device=device, executor=executor,
                               overwrite=not resume, workers=workers, ray_address=ray_address,
                               timeout=timeout, merge=merge, on_start=on_start,
                               on_outcome=on_outcome)
    except RunInterrupted as exc:
        err_console.print(f"[yellow]{esc(exc)}[/yellow]", soft_wrap=True)
        raise typer.Exit(130) from None
    reused = sum(o.reused_model for o in summary.outcomes)
    console.print(f"done: {plural(len(summary.outcomes), 'cell')} run ({reused} reused a trained "
                  f"model), {summary.skipped_done} already finished, "
                  f"{len(summary.failed)} with failures, {summary.seconds:.1f}s -> {esc(run_dir)}",
                  soft_wrap=True)
    if summary.failed:
        for cell, o in iter_failures(summary, the_plan):
            what = o.error or f"{o.failed_rows} metric row(s) failed"
            err_console.print(f"[red]failed[/red] {esc(cell.task)}/{esc(cell.shift)}@{cell.severity:g}/"
                              f"{esc(cell.model)}/seed{cell.seed}: {esc(what)}", soft_wrap=True)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("run")(run_command)
