"""Reference rows (scored like models) and declared shift kinds: the core mechanism."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest

from regshift_bench import results, scoring
from regshift_bench.api import Prediction, Shift, Splits, Task
from regshift_bench.api.shift import SHIFT_KINDS
from regshift_bench.errors import RegistryError
from regshift_bench.registry import Registry
from regshift_bench.testing.toy import toy_dataset


class _RefTask(Task):
    """Declares two references: an exact one (mean = y_true) and a broken one."""

    reference_names = ("perfect", "offset")

    def reference_predictions(self, split, data, splits):
        n = len(data)
        return {
            "perfect": Prediction(np.asarray(data.y, float), np.full(n, 1e-3)),
            "offset": Prediction(np.asarray(data.y, float) + 1.0, np.ones(n)),
        }

    def score(self, split, data, pred):
        return {"perfect_custom": 1.0, "task_only": 2.0}


def _sets():
    sets = {
        "val": toy_dataset(30, random_state=1),
        "test_id": toy_dataset(50, random_state=2),
        "test_ood": toy_dataset(40, random_state=3, gc_mean=0.7),
    }
    rng = np.random.default_rng(0)
    preds = {k: Prediction(d.y + rng.normal(size=len(d)), 0.5 + rng.random(len(d))) for k, d in sets.items()}
    splits = Splits(sets["val"], sets["val"], sets["test_id"], sets["test_ood"])
    return sets, preds, splits


def _cell(metrics):
    return SimpleNamespace(metrics=tuple(metrics), task_name="reftask")


def test_reference_rows_are_scored_by_the_cells_metrics():
    sets, preds, splits = _sets()
    rows, _ = scoring.score(_cell(["mse", "pearson", "ood_auroc"]), _RefTask(), sets, preds, splits=splits)
    by = {(r["split"], r["metric"]): r for r in rows}
    for split in sets:
        assert by[(split, "perfect_mse")]["value"] == pytest.approx(0.0)
        assert by[(split, "perfect_mse")]["reference"] == "perfect"
        assert by[(split, "offset_mse")]["value"] == pytest.approx(1.0)
        assert by[(split, "offset_pearson")]["value"] == pytest.approx(1.0)
        assert by[(split, "mse")].get("reference", "") == ""  # the model's own row
        assert by[(split, "perfect_custom")]["reference"] == "perfect"  # Task.score scalar
        assert by[(split, "task_only")]["reference"] == ""
    # Metrics needing the test_id reference use the reference's own test_id prediction.
    assert ("test_ood", "offset_ood_auroc") in by and ("val", "offset_ood_auroc") not in by


def test_reference_column_is_empty_for_models_and_written():
    sets, preds, splits = _sets()
    rows, _ = scoring.score(_cell(["mse"]), _RefTask(), sets, preds, splits=splits)
    table = scoring.results_table(rows, {"task": "reftask", "shift_kind": "covariate"})
    frame = table.to_pandas()
    assert set(frame["reference"]) == {"", "perfect", "offset"}
    assert (frame.loc[frame["metric"] == "mse", "reference"] == "").all()
    assert (frame["shift_kind"] == "covariate").all()
    assert {"reference", "shift_kind"} <= set(results.RESULTS_SCHEMA.names)


def test_undeclared_or_failing_reference_fails_its_rows_only():
    class Undeclared(_RefTask):
        reference_names = ("perfect",)

    sets, preds, splits = _sets()
    rows, _ = scoring.score(_cell(["mse"]), Undeclared(), sets, preds, splits=splits)
    failed = [r for r in rows if r["status"] == "failed"]
    assert failed and all("reference_names" in r["error"] for r in failed)
    assert all(r["status"] == "ok" for r in rows if r["metric"] == "mse")


def test_an_ood_only_reference_is_scored_on_ood_and_skips_id_relative_metrics():
    class OodOnly(_RefTask):  # like mpra's source_label: defined on the target domain only
        reference_names = ("label",)

        def reference_predictions(self, split, data, splits):
            if not split.startswith("test_ood"):
                return {}
            return {"label": Prediction(np.asarray(data.y, float) + 0.5, np.ones(len(data)))}

    sets, preds, splits = _sets()
    rows, _ = scoring.score(_cell(["mse", "ood_auroc"]), OodOnly(), sets, preds, splits=splits)
    ref = {(r["split"], r["metric"]): r for r in rows if r.get("reference") == "label"}
    assert ref[("test_ood", "label_mse")]["value"] == pytest.approx(0.25)
    assert ref[("test_ood", "label_ood_auroc")]["status"] == "skipped"
    assert not any(r["status"] == "failed" for r in rows)
    assert {s for s, _ in ref} == {"test_ood"}


def test_no_splits_means_no_reference_rows():
    sets, preds, _ = _sets()
    rows, _ = scoring.score(_cell(["mse"]), _RefTask(), sets, preds)
    assert not any(r["metric"].startswith(("perfect_mse", "offset_")) for r in rows)


def test_shift_kind_is_validated_at_registration():
    class NoKind(Shift):
        pass

    class BadKind(Shift):
        kind = "vibes"

    class Good(Shift):
        kind = "measurement"

    reg = Registry()
    for cls in (NoKind, BadKind):
        with pytest.raises(RegistryError, match=r"plugin 'p'.*kind.*covariate, mechanism"):
            reg.add("shift", "p", cls.__name__.lower(), cls)
    assert reg.add("shift", "p", "good", Good).factory.kind == "measurement"


def test_every_registered_shift_declares_a_kind():
    from regshift_bench import plugins

    for entry in plugins.current().registry.entries("shift"):
        assert entry.factory.kind in SHIFT_KINDS, entry.name


def test_list_shifts_json_shows_kind():
    import json

    from typer.testing import CliRunner

    from regshift_bench.cli.main import app

    out = CliRunner().invoke(app, ["list", "shifts", "--json"])
    assert out.exit_code == 0, out.output
    kinds = {row["name"]: row["kind"] for row in json.loads(out.output)}
    assert kinds["none"] == "selection"
    assert set(kinds.values()) <= set(SHIFT_KINDS)


def test_dataclass_replace_keeps_info():
    # Sim references find the source domain through train.info; subset must keep it.
    data = dataclasses.replace(toy_dataset(10, random_state=0), info={"config": "x"})
    assert data.subset(np.arange(3)).info["config"] == "x"
