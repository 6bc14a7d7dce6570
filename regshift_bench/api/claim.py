"""The :class:`Claim` and :class:`Anchor` interfaces: a suite's findings and published numbers.

A *claim* is a statement about a run that the run could contradict ("a mild GC shift
costs at most 10% more error than the source oracle loses"). A plugin registers it
through ``rsbench_register_claims``; the leaderboard's Findings section judges every
registered claim on every run it builds (:mod:`regshift_bench.leaderboard.findings`).
A claim declares

- what it reads (:class:`Reads`: tasks, shift names or shift families, metrics),
  so a run without those cells marks it *inconclusive* with the reason;
- its thresholds, each a :class:`Threshold` with its value and the reason for it;
- its controls (models such as a constant ``mean`` predictor, quoted beside every
  model's evidence, so that a change every predictor shows reads as a change of
  the labels, not a failure of the model);
- a ``judge`` function that receives the leaderboard's per-task evidence
  (:class:`regshift_bench.leaderboard.findings.TaskView`, one per task) and returns
  ``(checks, reason)``: one :class:`~regshift_bench.leaderboard.findings.Check` per
  model and condition it tested, and why there is nothing to check when the list
  is empty. The verdict (*holds*, *does not hold*, *inconclusive*) follows from the
  checks: any failure fails the claim, all holding makes it hold.

An *anchor* is a published reference number shown beside ours (registered through
``rsbench_register_anchors``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: The verdicts a claim (and each of its checks) can take.
HOLDS, FAILS, UNSURE = "holds", "does not hold", "inconclusive"
VERDICTS: tuple[str, ...] = (HOLDS, FAILS, UNSURE)
#: Shift families a claim may read: shifts that change the test inputs, and shifts
#: that keep them and move only the labels (:attr:`regshift_bench.api.Shift.changes_inputs`).
FAMILIES: tuple[str, ...] = ("input", "label")


@dataclass(frozen=True)
class Threshold:
    """A named constant a claim compares a measured value with, and why it is that value."""

    name: str
    value: float
    reason: str


@dataclass(frozen=True)
class Reads:
    """What a claim reads; empty means any.

    Attributes
    ----------
    tasks : tuple of str
        Task labels (as in the results); empty: every task.
    shifts : tuple of str
        Registered shift names; empty: every shift of ``families``.
    families : tuple of str
        ``"input"`` and/or ``"label"`` (see :data:`FAMILIES`).
    metrics : tuple of str
        Metrics the judge reads (collected for it with bootstrap samples).
    needs_oracle : bool
        Whether the claim reads the task's oracle reference (simulated tasks).
    """

    tasks: tuple[str, ...] = ()
    shifts: tuple[str, ...] = ()
    families: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ("mse", "coverage_90")
    needs_oracle: bool = False


@dataclass(frozen=True)
class Claim:
    """One claim: its statement, what it reads, thresholds, controls and judge.

    ``judge(views)`` receives one
    :class:`~regshift_bench.leaderboard.findings.TaskView` per task of the run and
    returns ``(checks, reason)`` (see the module docstring).
    """

    name: str
    statement: str
    judge: Callable[[list[Any]], tuple[list[Any], str]]
    reads: Reads = field(default_factory=Reads)
    thresholds: tuple[Threshold, ...] = ()
    controls: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        return self.statement

    def threshold(self, name: str) -> float:
        """The value of the threshold called ``name``."""
        for t in self.thresholds:
            if t.name == name:
                return t.value
        raise KeyError(f"claim {self.name!r} declares no threshold {name!r}")


#: Fields every anchor must have (all text, as published).
ANCHOR_FIELDS = ("name", "metric", "value", "source", "train_size", "our_task", "data", "incomparable")


@dataclass(frozen=True)
class Anchor:
    """A published number; ``our_task`` is "" when no task of ours is close.

    ``our_metric`` (optional) is the recorded metric ours is read from (default:
    the task's leaderboard metric, in distribution).
    """

    name: str
    metric: str
    value: str
    source: str
    train_size: str
    our_task: str
    data: str
    incomparable: str
    our_metric: str = ""

    @property
    def summary(self) -> str:
        return f"{self.name}: {self.metric} {self.value}"
