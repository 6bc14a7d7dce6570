"""``ensemble``: a deep ensemble over any registered model."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np

import regshift_bench
from regshift_bench.api import Budget, FitReport, Model, Prediction, SeqDataset, fit_report
from regshift_bench.errors import PluginError


class Ensemble(Model):
    """M independently seeded copies of a registered model, combined as a mixture.

    Parameters
    ----------
    base : str, default "cnn"
        Registered model name of the members (any model, neural or not).
    members : int, default 5
    base_params : dict, optional
        Keyword parameters for every member.

    Notes
    -----
    Member ``i`` is fitted with ``rng.spawn(members)[i]``, so adding members does not
    change the existing ones. Prediction (Lakshminarayanan et al. 2017):
    ``mean = mean_i(mu_i)``, ``aleatoric = mean_i(var_i)``,
    ``epistemic = var_i(mu_i)`` (population variance), ``var = aleatoric + epistemic``.
    Every member gets the full step budget of a single model, so an ensemble costs
    ``members`` times one fit and no member is starved. ``max_seconds`` is a wall-clock
    cap on the whole fit, so each member gets the time left divided by the members left. ``fit_report_`` combines the members' reports
    (:meth:`regshift_bench.api.FitReport.combine`: steps summed; undertrained when any
    member is).
    """

    def __init__(self, base: str = "cnn", members: int = 5, base_params: dict[str, Any] | None = None) -> None:
        self.base, self.members, self.base_params = base, members, base_params

    def _make(self) -> list[Model]:
        if int(self.members) < 1:
            raise PluginError(f"members must be >= 1, got {self.members}", plugin=self.name or "ensemble")
        params = dict(self.base_params or {})
        return [regshift_bench.get_plugin("model", self.base, **params) for _ in range(int(self.members))]

    def fit(
        self,
        train: SeqDataset,
        val: SeqDataset,
        *,
        rng: np.random.Generator,
        device: str = "cpu",
        budget: Budget | None = None,
    ) -> Ensemble:
        self.models_ = self._make()
        start = time.perf_counter()
        for i, (model, child) in enumerate(zip(self.models_, rng.spawn(len(self.models_)))):
            model.fit(train, val, rng=child, device=device, budget=_member_budget(budget, len(self.models_) - i, start))
        reports = [fit_report(m) for m in self.models_]
        self.fit_report_ = (
            FitReport.combine([r for r in reports if r is not None]) if all(r is not None for r in reports) else None
        )
        return self

    def predict(self, data: SeqDataset, *, device: str = "cpu") -> Prediction:
        if not hasattr(self, "models_"):
            raise PluginError("predict called before fit or load; fit the model first", plugin=self.name or "ensemble")
        preds = [m.predict(data, device=device) for m in self.models_]
        means = np.stack([p.mean for p in preds])
        alea = np.stack([p.var for p in preds]).mean(0)
        epi = means.var(0)
        return Prediction(means.mean(0), alea + epi, alea, epi)

    def predict_mean(self, data: SeqDataset, *, device: str = "cpu") -> np.ndarray:
        """The average of the members' deterministic means (their ``predict_mean``)."""
        if not hasattr(self, "models_"):
            raise PluginError("predict called before fit or load; fit the model first", plugin=self.name or "ensemble")
        return np.mean([m.predict_mean(data, device=device) for m in self.models_], axis=0)

    def get_state(self) -> dict[str, Any]:
        if not hasattr(self, "models_"):
            raise PluginError("get_state before fit", plugin=self.name or "ensemble")
        return {"members": [m.get_state() for m in self.models_]}

    def set_state(self, state: dict[str, Any]) -> None:
        self.models_ = self._make()
        if len(state["members"]) != len(self.models_):
            raise PluginError(
                f"saved ensemble has {len(state['members'])} members, this one "
                f"{len(self.models_)}; construct it with the same members=",
                plugin=self.name or "ensemble",
            )
        for model, sub in zip(self.models_, state["members"]):
            model.set_state(sub)


def _member_budget(budget: Budget | None, left: int, start: float) -> Budget | None:
    """The budget of the next member: the same steps, its share of the time left."""
    if budget is None or budget.max_seconds is None:
        return budget
    remaining = max(budget.max_seconds - (time.perf_counter() - start), 1e-3)
    return dataclasses.replace(budget, max_seconds=remaining / left)
