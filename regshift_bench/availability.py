"""Which suites can run with the data at hand: a plan-time filter for ``rsbench run --all``.

``--all`` means "everything this machine can run": the simulator needs no data,
the real-data suites need their datasets in the data directory. Instead of
stopping at the first missing file, :func:`runnable_suites` keeps the tasks whose
data loads and returns one :class:`Skipped` record per suite for the rest, naming
the commands that get the data, so the CLI can say it once and run what it can.
A task whose data is present but malformed is not skipped: that error stays loud.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from regshift_bench import paths, plugins
from regshift_bench.errors import DataMissingError
from regshift_bench.tasks import Suite

__all__ = ["Skipped", "runnable_suites"]


@dataclass(frozen=True)
class Skipped:
    """The tasks of one suite that cannot run for lack of data.

    Parameters
    ----------
    suite : str
        The suite's name.
    tasks : tuple of str
        Labels of the skipped tasks.
    whole_suite : bool
        Whether every task of the suite is skipped.
    fixes : tuple of str
        Distinct commands that get the missing data (``rsbench data fetch NAME``).
    reasons : tuple of str
        The one-line errors of tasks whose missing data no command provides
        (e.g. a user table that is not where its task file says).
    """

    suite: str
    tasks: tuple[str, ...]
    whole_suite: bool
    fixes: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()

    def line(self) -> str:
        """One line naming what is skipped and the command(s) that fix it.

        Reads as the object of "skipped": ``suite mpra (tasks a, b): no data in DIR;
        get it with `rsbench data fetch NAME```.
        """
        tasks = ", ".join(self.tasks)
        what = f"suite {self.suite} (tasks {tasks})" if self.whole_suite else f"task(s) {tasks} of suite {self.suite}"
        how = []
        if self.fixes:
            # `rsbench data fetch` takes several names: one command per suite, then the rest.
            plain = [c for c in self.fixes if c.startswith("rsbench data fetch ") and len(c.split()) == 4]
            commands = ([f"rsbench data fetch {' '.join(c.split()[3] for c in plain)}"] if plain else []) + [
                c for c in self.fixes if c not in plain
            ]
            how.append(
                "get it with "
                + "; ".join(f"`{c}`" for c in commands)
                + " (or every dataset: `rsbench data fetch --all`)"
            )
        how.extend(self.reasons)
        return f"{what}: no data in {paths.data_dir()}; {'; '.join(how)}"


def _missing(suite: Suite) -> dict[str, DataMissingError]:
    """Task label -> the DataMissingError its data raised, for the tasks that cannot load."""
    registry = plugins.current().registry
    missing: dict[str, DataMissingError] = {}
    for spec in suite.tasks:
        try:
            task = registry.create("task", spec.task, **dict(spec.params))
            if task.kind == "fixed":
                task.load()  # plugins cache their tables, so planning does not load twice
        except DataMissingError as exc:
            missing[spec.label] = exc
    return missing


def runnable_suites(suites: Sequence[Suite]) -> tuple[list[Suite], list[Skipped]]:
    """Split ``suites`` into what can run with the data present and what is skipped.

    Parameters
    ----------
    suites : sequence of Suite
        Usually every shipped suite (``rsbench run --all``).

    Returns
    -------
    runnable : list of Suite
        The suites with their runnable tasks only; suites with none are left out.
    skipped : list of Skipped
        One record per suite that lost at least one task, in suite order.

    Raises
    ------
    DataMissingError
        When no task of any suite can run: there is nothing to do, and saying so
        is more useful than an empty run.
    """
    runnable: list[Suite] = []
    skipped: list[Skipped] = []
    for suite in suites:
        missing = _missing(suite)
        kept = tuple(t for t in suite.tasks if t.label not in missing)
        if kept:
            runnable.append(suite if len(kept) == len(suite.tasks) else replace(suite, tasks=kept))
        if missing:
            fixes = tuple(dict.fromkeys(e.fix for e in missing.values() if e.fix))
            reasons = tuple(dict.fromkeys(str(e) for e in missing.values() if not e.fix))
            skipped.append(Skipped(suite.name, tuple(missing), not kept, fixes, reasons))
    if not runnable:
        lines = "; ".join(s.line() for s in skipped)
        raise DataMissingError(f"nothing can run with the data present, skipped {lines}")
    return runnable, skipped
