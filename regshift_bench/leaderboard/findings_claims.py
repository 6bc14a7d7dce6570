"""Run the registered claims (hook ``rsbench_register_claims``) on a leaderboard.

Each :class:`regshift_bench.api.Claim` is judged on the run's tasks
(:class:`~regshift_bench.leaderboard.findings.TaskView`), then every learned model
gets its "what breaks it" line (:mod:`.findings_breaks`). A judge that raises is
reported as an inconclusive finding naming the claim's plugin and the error; the
other findings are kept.
"""

from __future__ import annotations

from typing import cast

from regshift_bench.api.claim import Claim
from regshift_bench.bootstrap import METHOD
from regshift_bench.leaderboard.board import Leaderboard
from regshift_bench.leaderboard.declared import declared
from regshift_bench.leaderboard.findings import FAILS, HOLDS, MIN_SEEDS, UNSURE, Check, Finding, TaskView, all_of, view
from regshift_bench.leaderboard.findings_breaks import BREAK_COVERAGE_DROP, BREAK_MSE_RISE, breaks
from regshift_bench.leaderboard.tables import Cell, Table


def registered_claims() -> list[tuple[str, Claim]]:
    """(owner plugin, claim) of every registered claim, in registration order."""
    from regshift_bench import plugins

    entries = plugins.current().registry.in_order("claim")
    return [(e.owner, cast(Claim, e.factory)) for e in entries if isinstance(e.factory, Claim)]


def _finding(claim: Claim, checks: list[Check], reason: str) -> Finding:
    ctl = ", ".join(claim.controls)
    if not checks:
        return Finding(claim.statement, UNSURE, reason, name=claim.name, controls=ctl, unread=True)
    verdict = all_of(checks)
    evidence = [f"{c.verdict}: {c.text}" for c in checks]
    if verdict == HOLDS:
        return Finding(
            claim.statement,
            verdict,
            f"holds in all {len(checks)} checks, e.g. {checks[0].text}",
            evidence,
            claim.name,
            ctl,
        )
    pick = [c.text for c in checks if c.verdict == verdict]
    more = f" (and {len(pick) - 1} more)" if len(pick) > 1 else ""
    return Finding(claim.statement, verdict, f"{pick[0]}{more}", evidence, claim.name, ctl)


def judge_claim(owner: str, claim: Claim, views: list[TaskView]) -> Finding:
    """One claim on the views; a judge that raises gives an inconclusive finding."""
    wanted = [v for v in views if not claim.reads.tasks or v.task in claim.reads.tasks]
    if claim.reads.needs_oracle:
        wanted = [v for v in wanted if v.has_oracle]
    try:
        checks, reason = claim.judge(wanted)
    except Exception as exc:  # a plugin's bug must not lose the other findings
        return Finding(
            claim.statement,
            UNSURE,
            f"the judge of claim {claim.name!r} (plugin {owner!r}) raised {type(exc).__name__}: {exc}; fix the plugin",
            name=claim.name,
        )
    return _finding(claim, checks, reason)


def smoke_reason(lb: Leaderboard) -> str | None:
    """Why every finding is inconclusive on smoke-preset runs (models are not trained)."""
    presets = {str(r.get("preset", "")) for r in lb.provenance["runs"]}
    return (
        "smoke preset: the models are not trained, so this run can neither support nor refute a claim"
        if "smoke" in presets
        else None
    )


def evaluate(lb: Leaderboard, claims: list[tuple[str, Claim]] | None = None) -> list[Finding]:
    """Every registered claim and each learned model's "what breaks it", from a built leaderboard."""
    claims = registered_claims() if claims is None else claims
    decl = declared(lb.runs)
    controls = sorted({m for _, c in claims for m in c.controls})
    views = [view(lb, b.task, reads=[c.reads for _, c in claims], controls=controls, decl=decl) for b in lb.boards]
    out = [judge_claim(owner, claim, views) for owner, claim in claims]
    out += [breaks(v, m) for v in views for m in v.models]
    smoke = smoke_reason(lb)
    if smoke:  # the values are shown, but no verdict rests on untrained models
        out = [
            Finding(f.claim, UNSURE, f"{smoke}; measured: {f.statement}", f.evidence, f.name, f.controls, f.unread)
            for f in out
        ]
    lb.options["controls"] = controls
    lb.options["statistics"] = METHOD
    lb.options["declaration_notes"] = [*decl.notes, *(n for v in views for n in v.notes)]
    return out


#: Evidence lines shown under a finding in the tables (all of them are in the JSON / CSV).
SHOWN_EVIDENCE = 6
_FLAG = {HOLDS: "helps", FAILS: "hurts", UNSURE: "partial"}


def unread_line(names: list[str]) -> str:
    """The one line naming the claims this run does not read (they get no row)."""
    return f"Claims not read by this run (no cells they need): {', '.join(names)} — `rsbench list claims`"


def _row(f: Finding) -> list[Cell]:
    """One finding as a table row: claim, verdict, statement with its first evidence lines."""
    shown = f.evidence[:SHOWN_EVIDENCE]
    more = len(f.evidence) - len(shown)
    sub = " · ".join(shown) + (f" · (+{more} more in leaderboard.json)" if more else "")
    return [
        Cell(f.claim, f.name),
        Cell(f.verdict, "", _FLAG[f.verdict]),
        Cell(f.statement, sub if len(f.evidence) > 1 else "", title="\n".join(f.evidence)),
    ]


def _method_notes(ci: float, controls: list[str] | None) -> list[str]:
    """How the Findings are judged (the notes under the table)."""
    ctl = ", ".join(controls or []) or "none in this run"
    return [
        f"Values: seed-averaged point [{round(100 * ci)}% interval of a {METHOD}]. On a task "
        "with an oracle (the source mechanism applied to the same test sequences) a model is "
        "judged by what it loses beyond the oracle; criteria are relative to the model's own "
        f"in-distribution value. Controls ({ctl}) are quoted beside every model and never "
        "judged: a loss they show as strongly is a shift of the label distribution. A claim "
        "holds when its interval clears the threshold for every learned model, does not hold "
        "when it fails for any, and is inconclusive when cells are missing, an interval "
        f"straddles a threshold, or fewer than {MIN_SEEDS} seeds were run.",
        f"'What breaks it': mse rise > {BREAK_MSE_RISE:g} of the model's ID mse or coverage_90 "
        f"drop > {BREAK_COVERAGE_DROP:g} (beyond the oracle's where the task has one), with "
        "p-values Holm-adjusted over the model's conditions of the task (one family); the "
        "first severity with a break, and the largest break there, is named.",
        "Each claim, its thresholds (with their reasons) and its controls are declared by the "
        "plugin that registers it: `rsbench list claims`; docs/findings.md.",
    ]


def findings_table(
    findings: list[Finding], ci: float, controls: list[str] | None = None, extra_notes: list[str] | None = None
) -> Table:
    """The Findings section as a table: claim, verdict, statement with its evidence.

    Parameters
    ----------
    findings : list of Finding
        Every finding (:func:`evaluate`).
    ci : float
        The interval level, named in the notes.
    controls : list of str, optional
        The control models the claims quote.
    extra_notes : list of str, optional
        Notes on the run's declarations and evidence, after the method notes.

    Returns
    -------
    Table
        One row per finding with evidence; the claims this run does not read
        (:attr:`Finding.unread`) are named in one line after the table instead. When no
        finding has evidence the table has no rows and that line is its only note
        (renderers then show the line alone).
    """
    unread = [f.name or f.claim for f in findings if f.unread]
    rows = [_row(f) for f in findings if not f.unread]
    line = [unread_line(unread)] if unread else []
    columns = ["claim", "verdict", "evidence"]
    if unread and not rows:
        return Table("findings", "", "Findings", columns, [], line)
    return Table("findings", "", "Findings", columns, rows, [*line, *_method_notes(ci, controls), *(extra_notes or [])])


__all__ = [
    "FAILS",
    "HOLDS",
    "UNSURE",
    "evaluate",
    "findings_table",
    "judge_claim",
    "registered_claims",
    "smoke_reason",
    "unread_line",
]
