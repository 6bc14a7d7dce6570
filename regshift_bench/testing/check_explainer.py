"""Conformance check for explainers (``rsbench check NAME`` / :func:`check_explainer`).

Explainers are run on a toy model whose answer is known: its prediction counts exact
``GATAA`` matches (the motif :func:`~regshift_bench.testing.toy.toy_dataset` plants),
through a one-filter convolution, so a sound attribution lights up the planted sites.
The same model is offered with and without its differentiable view, so gradient
explainers must report the second as not applicable rather than fail.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from regshift_bench import api
from regshift_bench.api import Model, NotApplicable, Prediction, SeqDataset
from regshift_bench.api.explainer import check_importance
from regshift_bench.plugins import get_plugin
from regshift_bench.sites import score_sites, site_mask
from regshift_bench.testing.report import CheckReport, construct_check
from regshift_bench.testing.toy import toy_dataset

_GATAA = (2, 0, 3, 0, 0)


def _motif_counter() -> Any:
    """torch module: one-hot (B, 4, L) -> number of exact GATAA matches (B,)."""
    import torch
    from torch import nn

    class MotifCounter(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv1d(4, 1, len(_GATAA), bias=True)
            with torch.no_grad():
                self.conv.weight.zero_()
                for j, b in enumerate(_GATAA):
                    self.conv.weight[0, b, j] = 1.0
                self.conv.bias.fill_(-(len(_GATAA) - 1.0))  # type: ignore[union-attr]  # 1 at a match
            self.act = nn.ReLU()
            self.gradcam_layer = self.conv

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.act(self.conv(x)).sum(dim=(1, 2))

    return MotifCounter().eval()


class ToyMotifModel(Model):
    """A fixed (nothing to fit) model counting GATAA; ``differentiable`` offers the view."""

    def __init__(self, differentiable: bool = True) -> None:
        self.differentiable = differentiable

    def fit(
        self, train: SeqDataset, val: SeqDataset, *, rng: np.random.Generator, device: str = "cpu", budget: Any = None
    ) -> ToyMotifModel:
        return self

    def predict(self, data: SeqDataset, *, device: str = "cpu") -> Prediction:
        import torch

        with torch.no_grad():
            mean = _motif_counter()(torch.from_numpy(data.onehot(np.float32))).double().numpy()
        return Prediction(mean, np.ones_like(mean))

    def torch_module(self) -> Any:
        return _motif_counter() if self.differentiable else None


def check_explainer(target: str | Callable[[], Any], *, strict: bool = False, **params: Any) -> CheckReport:
    """Explain 24 toy sequences and check the explainer's contract.

    Checks: construction does no work and gives an :class:`~regshift_bench.api.Explainer`;
    ``explain`` returns finite (n, L) importances; the same seed gives the same result;
    on a model without a differentiable view it either works (model-agnostic) or
    says why it is not applicable (``applicable`` and :class:`NotApplicable`), never
    fails otherwise; its importances rank the planted sites above chance
    (``site_auroc`` > 0.5 on the known-answer model).
    """
    if isinstance(target, str):
        name, make = target, (lambda: get_plugin("explainer", target, **params))
    else:
        name, make = getattr(target, "name", "") or getattr(target, "__name__", "plugin"), target
    report = CheckReport("explainer", name)
    data = toy_dataset(24, 40, 5)
    state: dict[str, Any] = {}

    construct = construct_check(make, api.Explainer, state, "explainer")

    def explain() -> str:
        out = state["explainer"].explain(ToyMotifModel(), data, rng=np.random.default_rng(0))
        state["imp"] = check_importance(out, len(data), data.seq_len, name)
        return f"shape {state['imp'].shape}"

    def deterministic() -> None:
        again = state["explainer"].explain(ToyMotifModel(), data, rng=np.random.default_rng(0))
        np.testing.assert_allclose(
            np.asarray(again, dtype=np.float64),
            state["imp"],
            rtol=1e-5,
            atol=1e-8,
            err_msg="same seed, different importances",
        )

    def not_applicable() -> str:
        explainer, model = state["explainer"], ToyMotifModel(differentiable=False)
        reason = explainer.applicable(model)
        if reason is None:
            out = explainer.explain(model, data, rng=np.random.default_rng(0))
            check_importance(out, len(data), data.seq_len, name)
            return "model-agnostic: explains a predict-only model"
        assert isinstance(reason, str) and reason, "applicable must return a reason or None"
        try:
            explainer.explain(model, data, rng=np.random.default_rng(0))
        except NotApplicable:
            return f"not applicable: {reason[:60]}"
        raise AssertionError("applicable() gave a reason but explain did not raise NotApplicable")

    def finds_sites() -> str:
        scores = score_sites(state["imp"], site_mask(data, widths=len(_GATAA)))
        auroc = scores["site_auroc"]
        assert auroc > 0.5, (
            f"site_auroc {auroc:.3f} on a model that only reads the planted "
            "GATAA sites: importances do not point at them (sign or axis bug?)"
        )
        return f"site_auroc {auroc:.3f} over {scores['n']} sequences"

    if report.run("construct", construct) and report.run("explain", explain):
        report.run("deterministic", deterministic)
        report.run("finds_sites", finds_sites)
    if "explainer" in state:
        report.run("not_applicable", not_applicable)
    if strict:
        report.raise_if_failed()
    return report
