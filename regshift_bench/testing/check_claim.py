"""Conformance checks for claims and anchors (``rsbench check NAME`` / :func:`check_claim`).

A claim must be a :class:`~regshift_bench.api.Claim` registered under its own name,
give every threshold a reason, answer a run without its cells with no checks and a
reason, and judge a small synthetic run (no training) with checks whose verdicts are
holds / does not hold / inconclusive. An anchor must be an
:class:`~regshift_bench.api.Anchor` with every field filled.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from regshift_bench import plugins
from regshift_bench.api.claim import ANCHOR_FIELDS, VERDICTS, Anchor, Claim
from regshift_bench.plugins import get_plugin
from regshift_bench.testing.report import CheckReport


def _judged(claim: Claim, views: list[Any]) -> tuple[list[Any], str]:
    out = claim.judge(views)
    assert isinstance(out, tuple) and len(out) == 2, "judge must return (checks, reason)"
    checks, reason = out
    bad = [c for c in checks if getattr(c, "verdict", None) not in VERDICTS]
    assert not bad, f"check verdicts must be one of {VERDICTS}, got {bad[0]!r}"
    return list(checks), str(reason)


def check_claim(target: str | Claim, *, strict: bool = False) -> CheckReport:
    """Check a registered claim (or a :class:`Claim`) on an empty and a synthetic run."""
    name = target if isinstance(target, str) else target.name
    report = CheckReport("claim", name)
    state: dict[str, Any] = {}

    def describe() -> str:
        claim = get_plugin("claim", target) if isinstance(target, str) else target
        assert isinstance(claim, Claim), f"got {type(claim).__name__}, not a Claim"
        assert claim.name == name, f"registered as {name!r} but named {claim.name!r}"
        assert all(t.reason.strip() for t in claim.thresholds), "every threshold needs a reason"
        state["claim"] = claim
        return f"{len(claim.thresholds)} threshold(s), controls {', '.join(claim.controls) or '—'}"

    def empty_run() -> str:
        checks, reason = _judged(state["claim"], [])
        assert not checks and reason.strip(), "with no tasks: no checks and a reason"
        return reason[:80]

    def synthetic_run() -> str:
        from regshift_bench.leaderboard import build_leaderboard
        from regshift_bench.leaderboard.findings import view
        from regshift_bench.leaderboard.findings_claims import judge_claim
        from regshift_bench.testing.synthetic_run import write_synthetic_run

        claim: Claim = state["claim"]
        shifts = {"none": (0.0,), **{s: (1.0,) for s in claim.reads.shifts if s != "none"}}
        registry = plugins.current().registry
        # The registered shifts' own declaration: which of them keep the inputs.
        label = [
            s
            for s in shifts
            if s in registry.names("shift")
            and getattr(registry.get("shift", s).factory, "changes_inputs", True) is False
        ]
        with tempfile.TemporaryDirectory() as tmp:
            run = write_synthetic_run(
                Path(tmp) / "run",
                shifts=shifts,
                seeds=2,
                n_test=64,
                models=("mean", "cnn"),
                references=("source_oracle",),
                label_shifts=label,
                metrics=sorted({"mse", "coverage_90", *claim.reads.metrics}),
            )
            lb = build_leaderboard([run], n_boot=20, findings=False)
            views = [view(lb, b.task, reads=[claim.reads], controls=list(claim.controls)) for b in lb.boards]
            _judged(claim, views)
            finding = judge_claim("check", claim, views)
        assert "raised" not in finding.statement, finding.statement
        return f"{finding.verdict}: {finding.statement[:60]}"

    if report.run("describe", describe) and report.run("empty run", empty_run):
        report.run("synthetic run", synthetic_run)
    if strict:
        report.raise_if_failed()
    return report


def check_anchor(target: str | Anchor, *, strict: bool = False) -> CheckReport:
    """Check a registered anchor (or an :class:`Anchor`): every field filled."""
    name = target if isinstance(target, str) else target.name
    report = CheckReport("anchor", name)

    def describe() -> str:
        anchor = get_plugin("anchor", target) if isinstance(target, str) else target
        assert isinstance(anchor, Anchor), f"got {type(anchor).__name__}, not an Anchor"
        empty = [f for f in ANCHOR_FIELDS if f != "our_task" and not str(getattr(anchor, f)).strip()]
        assert not empty, f"empty field(s) {empty}; say what was published and where"
        return anchor.summary[:80]

    report.run("describe", describe)
    if strict:
        report.raise_if_failed()
    return report
