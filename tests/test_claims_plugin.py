"""Claims and anchors as plugin contributions: registration rules, listing, the guide's example."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from regshift_bench import plugins
from regshift_bench.api import Anchor, Claim, Reads, Threshold
from regshift_bench.api.claim import UNSURE
from regshift_bench.cli.main import app
from regshift_bench.errors import RegistryError
from regshift_bench.leaderboard import build_leaderboard
from regshift_bench.registry import Registry
from regshift_bench.testing import check_claim
from regshift_bench.testing.synthetic_run import write_synthetic_run

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "findings.md"


def _guide_module(tmp_path: Path, name: str = "guide_claims") -> str:
    """The guide's example plugin, written out as an importable module."""
    text = GUIDE.read_text(encoding="utf-8")
    block = re.search(r"<!-- example: claim plugin -->\n```python\n(.*?)```", text, re.S)
    assert block, "docs/findings.md lost its example claim plugin"
    (tmp_path / f"{name}.py").write_text(block.group(1), encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    return name


def _judge(views):
    return [], "nothing"


def test_registration_checks_what_a_claim_declares():
    reg = Registry()
    good = Claim("c1", "x holds", _judge, Reads(), (Threshold("t", 1.0, "why"),))
    reg.add("claim", "me", "c1", good)
    with pytest.raises(RegistryError, match="not a regshift_bench.api.Claim"):
        reg.add("claim", "me", "c2", _judge)
    with pytest.raises(RegistryError, match="is named 'c1'"):
        reg.add("claim", "me", "c3", good)
    with pytest.raises(RegistryError, match="give no reason"):
        reg.add("claim", "me", "c4", Claim("c4", "x", _judge, Reads(), (Threshold("t", 1, " "),)))
    with pytest.raises(RegistryError, match="shift families"):
        reg.add("claim", "me", "c5", Claim("c5", "x", _judge, Reads(families=("inputs",))))
    with pytest.raises(RegistryError, match="not a regshift_bench.api.Anchor"):
        reg.add("anchor", "me", "a1", {"name": "x"})
    reg.add("anchor", "me", "a2", Anchor("A 2", "r", "0.8", "s", "t", "", "d", "i"))
    assert reg.get("anchor", "a2").summary == "A 2: r 0.8"


def test_built_in_claims_and_anchors_come_from_the_plugins():
    res = CliRunner().invoke(app, ["list", "claims", "--json"])
    assert res.exit_code == 0, res.output
    owners = {row["name"]: row["plugin"] for row in __import__("json").loads(res.output)}
    assert owners["sim_severe_shifts_break"] == "sim"
    assert owners["real_selective_gc_extremes"] == "mpra"
    res = CliRunner().invoke(app, ["list", "anchors"])
    assert res.exit_code == 0 and "lentimpra_hepg2" in res.output


def test_a_third_party_claim_appears_in_the_findings_of_a_smoke_run(tmp_path):
    name = _guide_module(tmp_path)
    try:
        plugins.configure((name,))
        assert check_claim("my_calibration_survives_input_shifts").ok
        run = write_synthetic_run(
            tmp_path / "run",
            preset="smoke",
            seeds=1,
            shifts={"none": (0.0,), "gc_shift": (1.0,)},
            models=("mean", "cnn"),
            metrics=["mse", "coverage_90", "aurc"],
            shift_kinds={"gc_shift": "covariate"},
        )
        lb = build_leaderboard([run], n_boot=20)
        found = {f.name: f for f in lb.findings}
        mine = found["my_calibration_survives_input_shifts"]
        assert mine.verdict == UNSURE and mine.statement.startswith("smoke preset")
        assert "gc_shift @1" in mine.statement  # the measured values are still quoted
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(name, None)


def test_a_judge_that_raises_is_reported_not_fatal(tmp_path):
    from regshift_bench.leaderboard.findings_claims import judge_claim

    def broken(views):
        raise ValueError("boom")

    finding = judge_claim("thirdparty", Claim("bad", "x", broken), [])
    assert finding.verdict == UNSURE and "plugin 'thirdparty'" in finding.statement
    assert "ValueError: boom" in finding.statement
