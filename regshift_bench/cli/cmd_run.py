"""``rsbench run``: expand the grid and run it into a run directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from regshift_bench import plan as planning
from regshift_bench import tasks
from regshift_bench.cli.console import console, err_console
from regshift_bench.errors import RegshiftError
from regshift_bench.execute import iter_failures, run_plan


def _suites(all_: bool, task: list[str], suite: list[str]) -> list[tasks.Suite]:
    if all_:
        return tasks.shipped_suites()
    chosen = [tasks.find_suite(s) for s in suite]
    for ref in task:
        if ref.endswith(".toml") or Path(ref).is_file():
            chosen.append(tasks.load_suite(ref))
            continue
        matches = [s for s in tasks.shipped_suites() if any(t.label == ref for t in s.tasks)]
        if not matches:
            from regshift_bench import plugins

            plugins.current().registry.get("task", ref)  # did-you-mean for unknown names
            raise RegshiftError(f"task {ref!r} is registered but no suite file declares it; "
                                "write a task file and pass its path to --task")
        s = matches[0]
        chosen.append(tasks.Suite(s.name, s.version, s.description, s.path,
                                  tuple(t for t in s.tasks if t.label == ref), s.presets))
    if not chosen:
        raise RegshiftError("nothing to run: pass --all, --task NAME|FILE or --suite NAME")
    return chosen


def run_command(
    all_: Annotated[bool, typer.Option("--all", help="Every shipped suite.")] = False,
    task: Annotated[Optional[list[str]], typer.Option("--task", help="Task name or task-file path (repeatable).")] = None,
    suite: Annotated[Optional[list[str]], typer.Option("--suite", help="Suite name or file (repeatable).")] = None,
    model: Annotated[Optional[list[str]], typer.Option("--model", help="Only this model (repeatable).")] = None,
    shift: Annotated[Optional[list[str]], typer.Option("--shift", help="Only this shift (repeatable; `none` is kept).")] = None,
    explainer: Annotated[Optional[list[str]], typer.Option("--explainer", help="Run this explainer, scored on planted sites (repeatable).")] = None,
    seeds: Annotated[Optional[int], typer.Option("--seeds", help="Number of seeds (default: the preset's).")] = None,
    preset: Annotated[str, typer.Option("--preset", help="smoke | quick | full.")] = "quick",
    device: Annotated[str, typer.Option("--device", help="auto | cpu | cuda.")] = "auto",
    out: Annotated[Optional[Path], typer.Option("--out", help="Run directory (default runs/<preset>).")] = None,
    executor: Annotated[str, typer.Option("--executor", help="local | ray.")] = "local",
    workers: Annotated[int, typer.Option("--workers", help="Local process pool size on CPU.")] = 1,
    ray_address: Annotated[Optional[str], typer.Option("--ray-address", help="Ray cluster address.")] = None,
    timeout: Annotated[Optional[float], typer.Option("--cell-timeout", help="Seconds before a cell is failed.")] = None,
    resume: Annotated[bool, typer.Option("--resume/--overwrite", help="Skip finished cells (default) or start over.")] = True,
) -> None:
    """Run every model x shift x seed of the chosen tasks into Parquet."""
    from regshift_bench import plugins

    # Names first: a misspelt --model/--shift gets did-you-mean whatever else is missing.
    registry = plugins.current().registry
    for kind, names in (("model", model or []), ("shift", shift or []),
                        ("explainer", explainer or [])):
        for name in names:
            registry.get(kind, name)
    suites = _suites(all_, task or [], suite or [])
    the_plan = planning.expand(suites, preset, models=model or [], shifts=shift or [], seeds=seeds,
                                 explainers=explainer or [])
    run_dir = out or Path("runs") / preset
    s = the_plan.summary()
    console.print(f"[bold]plan[/bold]: {s['cells']} cells in {s['groups']} groups — "
                  f"tasks {', '.join(s['tasks'])}; {s['shifts']} shift settings; "
                  f"{len(s['models'])} models; seeds {s['seeds']}; preset {preset} -> {run_dir}")
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("failed {task.fields[failed]}"), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=False) as progress:
        bar = progress.add_task("cells", total=len(the_plan.cells), failed=0)
        failed = 0

        def on_start(total: int, done: int) -> None:
            progress.update(bar, completed=done)
            if done:
                console.print(f"resuming: {done} finished cells kept")

        def on_outcome(cell: planning.Cell, outcome: object) -> None:
            nonlocal failed
            failed += bool(getattr(outcome, "status") == "failed" or getattr(outcome, "failed_rows"))
            progress.update(bar, advance=1, failed=failed,
                            description=f"{cell.task}/{cell.shift}@{cell.severity:g}/{cell.model}")

        summary = run_plan(the_plan, run_dir, device=device, executor=executor,
                           overwrite=not resume, workers=workers, ray_address=ray_address,
                           timeout=timeout, on_start=on_start, on_outcome=on_outcome)
    reused = sum(o.reused_model for o in summary.outcomes)
    console.print(f"done: {len(summary.outcomes)} cells run ({reused} reused a trained model), "
                  f"{summary.skipped_done} already finished, "
                  f"{len(summary.failed)} with failures, {summary.seconds:.1f}s -> {run_dir}")
    if summary.failed:
        for cell, o in iter_failures(summary, the_plan):
            what = o.error or f"{o.failed_rows} metric row(s) failed"
            err_console.print(f"[red]failed[/red] {cell.task}/{cell.shift}@{cell.severity:g}/"
                              f"{cell.model}/seed{cell.seed}: {what}", soft_wrap=True)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("run")(run_command)
