"""Conformance checks every plugin must pass (``rsbench check NAME``).

Each ``check_*`` takes a registered name (or a zero-argument factory returning an
instance) and keyword parameters, runs its checks on tiny synthetic data in seconds,
and returns a :class:`CheckReport`; nothing raises unless ``strict=True``.
:func:`check_dataset` is the exception: a dataset is a description, so it is checked
against the data directory (present, checksums match).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from regshift_bench import api
from regshift_bench.api import Prediction, SeqDataset, Splits, SplitSizes
from regshift_bench.datasets import Dataset
from regshift_bench.errors import DataError, DataMissingError
from regshift_bench.plugins import get_plugin
from regshift_bench.testing.model_checks import CHECK_BUDGET, run_model_checks
from regshift_bench.testing.report import CheckReport, CheckSkipped
from regshift_bench.testing.toy import ToyTableTask, ToyTask, toy_dataset

Factory = str | Callable[[], Any]
__all__ = [
    "CHECKS",
    "CHECK_BUDGET",
    "check_dataset",
    "check_metric",
    "check_model",
    "check_prior",
    "check_shift",
    "check_task",
]
SMALL = SplitSizes(train=64, val=32, test=32)


def _make(kind: str, target: Factory, params: dict[str, Any]) -> tuple[str, Callable[[], Any]]:
    if isinstance(target, str):
        return target, lambda: get_plugin(kind, target, **params)
    return getattr(target, "name", "") or getattr(target, "__name__", "plugin"), target


def _finish(report: CheckReport, strict: bool) -> CheckReport:
    if strict:
        report.raise_if_failed()
    return report


def check_model(target: Factory, *, strict: bool = False, **params: Any) -> CheckReport:
    """Fit and predict on toy sequences and check the model's contract.

    See :func:`regshift_bench.testing.model_checks.run_model_checks` for the checks:
    construction, fit/predict shapes and finiteness, determinism, batch and order
    invariance, padded variable-length input, the training budget, and the save/load
    round trip (skipped for a model without ``get_state``).
    """
    name, make = _make("model", target, params)
    report = CheckReport("model", name)
    run_model_checks(name, make, report)
    return _finish(report, strict)


def _applicable_task(shift: api.Shift) -> api.Task:
    for task in (ToyTask(), ToyTableTask()):
        if shift.applies_to(task):
            return task
    from regshift_bench import plugins

    for entry in plugins.current().registry.entries("task"):
        try:
            task = get_plugin("task", entry.name)
            if shift.applies_to(task):
                return task
        except Exception:
            continue
    raise AssertionError("the shift applies to no toy task and no registered task")


def check_shift(target: Factory, *, task: api.Task | None = None, strict: bool = False, **params: Any) -> CheckReport:
    """Split a toy task (or ``task``) and check the :class:`Splits` contract.

    Checks: severities 0 and 1 construct; ``split`` returns Splits of non-empty
    SeqDatasets; the same seed gives identical arrays; a shift that declares
    ``changes_train = False`` draws the same training data as ``none``.
    """
    name, make = _make("shift", target, params)
    report = CheckReport("shift", name)
    state: dict[str, Any] = {}
    if isinstance(target, str):
        make_at = lambda s: get_plugin("shift", target, **{**params, "severity": s})  # noqa: E731
    else:
        make_at = lambda s: make()  # noqa: E731

    def construct() -> str:
        shift = make_at(1.0)
        assert isinstance(shift, api.Shift), f"got {type(shift).__name__}, not a Shift"
        make_at(0.0)
        state["shift"] = shift
        state["task"] = task or _applicable_task(shift)
        return f"on task {state['task'].name or type(state['task']).__name__}"

    def splits() -> str:
        out = state["shift"].split(state["task"], np.random.default_rng(0), SMALL)
        assert isinstance(out, Splits), f"split returned {type(out).__name__}, not Splits"
        for split, data in out.evaluation_sets().items():
            assert isinstance(data, SeqDataset), f"{split} is {type(data).__name__}"
            assert len(data) > 0, f"{split} is empty"
        assert len(out.train) > 0, "train is empty"
        state["splits"] = out
        return ", ".join(f"{k}={len(v)}" for k, v in out.evaluation_sets().items())

    def deterministic() -> None:
        again = state["shift"].split(state["task"], np.random.default_rng(0), SMALL)
        for (k, a), b in zip(state["splits"].evaluation_sets().items(), again.evaluation_sets().values()):
            np.testing.assert_array_equal(a.seqs, b.seqs, err_msg=f"{k} differs for same seed")
            np.testing.assert_array_equal(a.y, b.y, err_msg=f"{k} labels differ for same seed")

    def reuses_source() -> str:
        if type(state["shift"]).changes_train:
            return "declares changes_train; not compared"
        base = get_plugin("shift", "none").split(state["task"], np.random.default_rng(0), SMALL)
        assert base.train.fingerprint() == state["splits"].train.fingerprint(), (
            "changes_train is False but training data differs from the `none` shift's; "
            "draw source parts with regshift_bench.api.source_splits"
        )
        return ""

    if report.run("construct", construct) and report.run("split", splits):
        report.run("deterministic", deterministic)
        report.run("reuses_source_training_data", reuses_source)
    return _finish(report, strict)


def check_metric(target: Factory, *, strict: bool = False, **params: Any) -> CheckReport:
    """Score toy predictions and check the metric contract.

    Checks: attributes (``higher_is_better`` bool, ``needs`` known); a finite value
    on a calibrated prediction; a perfect mean scores at least as well as a noisy
    one (in the metric's direction) for accuracy-type metrics; NaN input is refused.
    """
    name, make = _make("metric", target, params)
    report = CheckReport("metric", name)
    data = toy_dataset(200, 30, 11)
    rng = np.random.default_rng(0)
    good = _split_variance(np.asarray(data.y_true, float), 0.09, rng)
    ood = toy_dataset(200, 30, 12, gc_mean=0.7)
    ood_pred = _split_variance(np.asarray(ood.y_true, float) + rng.normal(0, 0.5, len(ood)), 0.5, rng)
    state: dict[str, Any] = {}

    def attributes() -> str:
        metric = make()
        assert isinstance(metric, api.Metric), f"got {type(metric).__name__}, not a Metric"
        assert isinstance(type(metric).higher_is_better, bool), "higher_is_better must be a bool"
        unknown = set(metric.needs) - api.metric.KNOWN_NEEDS
        assert not unknown, f"unknown needs {sorted(unknown)}"
        state["metric"] = metric
        return f"higher_is_better={metric.higher_is_better}, needs={sorted(metric.needs)}"

    def finite() -> str:
        metric = state["metric"]
        if "reference" in metric.needs:
            value = metric(ood, ood_pred, reference=(data, good))
        else:
            value = metric(data, good)
        values = value if isinstance(value, dict) else {name: value}
        for key, v in values.items():
            assert isinstance(v, float) and math.isfinite(v), f"{key} = {v!r} is not a finite float"
        return ", ".join(f"{k}={v:.4g}" for k, v in values.items())

    def nan_refused() -> None:
        metric = state["metric"]
        bad = _with_nan(good, row=3, epistemic="epistemic" in metric.needs)
        try:
            if "reference" in metric.needs:
                metric(ood, bad.subset(np.arange(len(ood))), reference=(data, bad))
            else:
                metric(data, bad)
        except Exception as exc:
            from regshift_bench.errors import RegshiftError

            assert isinstance(exc, RegshiftError), f"NaN raised {type(exc).__name__}, not a RegshiftError"
            assert name in str(exc) or getattr(exc, "plugin", None), "error does not name the metric"
            return
        raise AssertionError("NaN in the prediction was accepted silently")

    if report.run("attributes", attributes):
        report.run("finite_value", finite)
        report.run("nan_refused", nan_refused)
    return _finish(report, strict)


def _split_variance(mean: np.ndarray, var: float, rng: np.random.Generator) -> Prediction:
    """A toy prediction whose total variance ``var`` has aleatoric and epistemic parts.

    The epistemic share varies per example (20-40% of ``var``) so a metric of the
    epistemic part alone (e.g. ``ood_auroc_epistemic``) has something to rank.

    Parameters
    ----------
    mean : numpy.ndarray, float64, shape (n,)
    var : float
        Total variance of every example.
    rng : numpy.random.Generator

    Returns
    -------
    Prediction
        ``var`` = ``aleatoric`` + ``epistemic``, all shape (n,).
    """
    epistemic = var * rng.uniform(0.2, 0.4, len(mean))
    total = np.full(len(mean), var)
    return Prediction(mean, total, aleatoric=total - epistemic, epistemic=epistemic)


def _with_nan(pred: Prediction, *, row: int, epistemic: bool) -> Prediction:
    """``pred`` with a NaN at ``row`` of its mean (and of its epistemic part when
    ``epistemic``, for a metric that reads only that part)."""

    def poisoned(a: np.ndarray) -> np.ndarray:
        return np.where(np.arange(len(a)) == row, np.nan, a)

    part = pred.epistemic
    return Prediction(
        poisoned(pred.mean), pred.var, pred.aleatoric, poisoned(part) if epistemic and part is not None else part
    )


def check_prior(target: Factory, *, strict: bool = False, **params: Any) -> CheckReport:
    """Fit on toy data and check features are float (n, k), finite and row-wise."""
    name, make = _make("prior", target, params)
    report = CheckReport("prior", name)
    train, test = toy_dataset(64, 40, 1), toy_dataset(20, 40, 2)
    state: dict[str, Any] = {}

    def features() -> str:
        prior = make()
        assert isinstance(prior, api.Prior), f"got {type(prior).__name__}, not a Prior"
        assert prior.fit(train) is prior, "fit must return self"
        feats = np.asarray(prior.features(test))
        assert feats.ndim == 2 and feats.shape[0] == len(test), f"features shape {feats.shape}"
        assert np.isfinite(feats).all(), "features are not finite"
        state["prior"], state["feats"] = prior, feats
        return f"k={feats.shape[1]}"

    def row_wise() -> None:
        part = np.asarray(state["prior"].features(test.subset(np.arange(5))))
        np.testing.assert_allclose(
            part, state["feats"][:5], rtol=1e-5, atol=1e-6, err_msg="features of a row depend on the other rows"
        )

    if report.run("features", features):
        report.run("row_wise", row_wise)
    return _finish(report, strict)


def check_task(target: Factory, *, strict: bool = False, **params: Any) -> CheckReport:
    """Load or sample a task and check the data contract and determinism."""
    name, make = _make("task", target, params)
    report = CheckReport("task", name)
    state: dict[str, Any] = {}

    def construct() -> str:
        task = make()
        assert isinstance(task, api.Task), f"got {type(task).__name__}, not a Task"
        assert task.kind in ("generative", "fixed"), f"kind {task.kind!r}"
        state["task"] = task
        return task.kind

    def data() -> str:
        task = state["task"]
        if task.kind == "generative":
            a = task.sample(task.config(), 16, np.random.default_rng(0))
            b = task.sample(task.config(), 16, np.random.default_rng(0))
            np.testing.assert_array_equal(a.seqs, b.seqs, err_msg="same seed, different sequences")
            np.testing.assert_array_equal(a.y, b.y, err_msg="same seed, different labels")
        else:
            a = task.load()
        assert isinstance(a, SeqDataset) and len(a) > 0, "no data"
        assert np.isfinite(a.y).all(), "activity has NaN/inf"
        if task.group_column:
            assert task.group_column in a.meta.columns, f"meta lacks {task.group_column!r}"
        for domain in task.domains[1:]:
            other = (
                task.load(domain)
                if task.kind == "fixed"
                else task.sample(task.config(domain=domain), 16, np.random.default_rng(0))
            )
            assert isinstance(other, SeqDataset) and len(other) > 0, f"domain {domain} empty"
        return f"n={len(a)}, L={a.seq_len}, domains={list(task.domains)}"

    if report.run("construct", construct):
        report.run("data", data)
    return _finish(report, strict)


def check_dataset(target: str | Dataset, *, strict: bool = False, root: Path | None = None) -> CheckReport:
    """Check a registered dataset (or a :class:`Dataset`) against the data directory.

    Unlike the other kinds there is nothing to run: a dataset is a description, so
    the checks are that it is one (a ``Dataset`` registered under its own name), that
    every file is present in the data directory (``root``, default the configured
    one), and that every present file matches its pinned SHA-256.
    """
    from regshift_bench import datasets, paths

    name = target if isinstance(target, str) else target.name
    report = CheckReport("dataset", name)
    state: dict[str, Any] = {}

    def describe() -> str:
        dataset = get_plugin("dataset", target) if isinstance(target, str) else target
        assert isinstance(dataset, Dataset), f"got {type(dataset).__name__}, not a Dataset"
        assert dataset.name == name, f"registered as {name!r} but named {dataset.name!r}"
        state["dataset"] = dataset
        fetchable = sum(f.url is not None for f in dataset.files)
        return f"{len(dataset.files)} files in {dataset.folder}/, {fetchable} fetchable"

    def present() -> str:
        dataset: Dataset = state["dataset"]
        base = root if root is not None else paths.data_dir()
        assert base is not None
        # One pass over the files: presence and checksums as `rsbench data list` reports them.
        state["rows"] = rows = datasets.status(base, [dataset])
        missing = [r["file"] for r in rows if not r["present"]]
        if missing and len(missing) == len(rows) and getattr(dataset, "optional", False):
            raise CheckSkipped(
                f"optional dataset {name!r} is not in {base}; {datasets.missing_hint(dataset)} to check it"
            )
        if missing:
            raise DataMissingError(
                f"dataset {name!r}: {len(missing)} of {len(rows)} files missing from "
                f"{base} (first: {missing[0]}); {datasets.missing_hint(dataset)}"
            )
        return str(base / dataset.folder)

    def checksums() -> str:
        bad = [r["file"] for r in state["rows"] if not r["checksum_ok"]]
        if bad:
            raise DataError(
                f"dataset {name!r}: {len(bad)} file(s) differ from the pinned sha256 (first: "
                f"{bad[0]}); replace them from the source or `rsbench data fetch {name}`"
            )
        return f"{len(state['rows'])} files match"

    if report.run("describe", describe) and report.run("present", present):
        report.run("checksums", checksums)
    return _finish(report, strict)


from regshift_bench.testing.check_block import check_block  # noqa: E402
from regshift_bench.testing.check_claim import check_anchor, check_claim  # noqa: E402
from regshift_bench.testing.check_explainer import check_explainer  # noqa: E402
from regshift_bench.testing.check_intervention import check_intervention  # noqa: E402

CHECKS: dict[str, Callable[..., CheckReport]] = {
    "model": check_model,
    "shift": check_shift,
    "metric": check_metric,
    "prior": check_prior,
    "task": check_task,
    "dataset": check_dataset,
    "explainer": check_explainer,
    "intervention": check_intervention,
    "block": check_block,
    "claim": check_claim,
    "anchor": check_anchor,
}
