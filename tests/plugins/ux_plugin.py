"""A local plugin for the CLI/UX tests: markup in summaries, optional state, budgets."""

from __future__ import annotations

import time

import numpy as np

from regshift_bench import hookimpl
from regshift_bench.api import Metric, Model, Prediction


class Stateless(Model):
    """Implements fit and predict only: no get_state/set_state."""

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset

    def fit(self, train, val, *, rng, device="cpu", budget=None):
        self.mean_ = float(train.y.mean()) + self.offset
        self.var_ = float(train.y.var()) + 1e-6
        return self

    def predict(self, data, *, device="cpu"):
        return Prediction(np.full(len(data), self.mean_), np.full(len(data), self.var_))


class IgnoresSeconds(Stateless):
    """Honours max_epochs but not max_seconds: 30 epochs of 0.25 s by default."""

    def fit(self, train, val, *, rng, device="cpu", budget=None):
        epochs = budget.max_epochs if budget and budget.max_epochs else 30
        for _ in range(epochs):
            time.sleep(0.25)
        return super().fit(train, val, rng=rng)


class ClosedFormIgnoresSeconds(IgnoresSeconds):
    """Declares a closed-form fit: the kit does not time it (here it would fail)."""

    closed_form = True


class PaddingMean(Stateless):
    """Mean code over every column, padding included: wider padding changes it."""

    def predict(self, data, *, device="cpu"):
        return Prediction(self.mean_ + data.seqs.mean(axis=1), np.full(len(data), self.var_))


class Interrupting(Stateless):
    """Raises KeyboardInterrupt (as Ctrl-C would) in its second fit of the process."""

    fits = 0

    def fit(self, train, val, *, rng, device="cpu", budget=None):
        type(self).fits += 1
        if type(self).fits == 2:
            raise KeyboardInterrupt
        return super().fit(train, val, rng=rng)


class Formula(Metric):
    """Mean of E[(y - mu)^2] over [bold]rows[/bold]."""

    higher_is_better = False

    def __call__(self, data, pred, reference=None):
        return float(np.mean((data.y - pred.mean) ** 2))


@hookimpl
def rsbench_register_models(register):
    register("ux_markup", Stateless, summary="closes [/x] before it opens [x]")
    register("ux_stateless", Stateless)
    register("ux_ignores_seconds", IgnoresSeconds)
    register("ux_closed_form", ClosedFormIgnoresSeconds)
    register("ux_padding_mean", PaddingMean)
    register("ux_interrupting", Interrupting)


@hookimpl
def rsbench_register_metrics(register):
    register("ux_formula", Formula)
