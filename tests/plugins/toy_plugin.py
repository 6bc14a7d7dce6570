"""A local plugin for tests: toy tasks, well- and badly-behaved models, a metric."""

from __future__ import annotations

import numpy as np

from regshift_bench import hookimpl
from regshift_bench.api import Metric, Model, Prediction, Shift, source_splits
from regshift_bench.testing import ToyTableTask, ToyTask


class ToyMean(Model):
    """Predicts the training mean with the training variance."""

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset

    def fit(self, train, val, *, rng, device="cpu", budget=None):
        # A draw from rng makes the seed matter, as it would for a real model.
        self.mean_ = float(train.y.mean()) + self.offset + 1e-3 * float(rng.normal())
        self.var_ = float(train.y.var()) + 1e-6
        return self

    def predict(self, data, *, device="cpu"):
        n = len(data)
        return Prediction(np.full(n, self.mean_), np.full(n, self.var_))

    def get_state(self):
        return {"mean": self.mean_, "var": self.var_}

    def set_state(self, state):
        self.mean_, self.var_ = state["mean"], state["var"]


class ToyGC(ToyMean):
    """Linear in GC content; shows a real dependence on the input."""

    def fit(self, train, val, *, rng, device="cpu", budget=None):
        gc = train.gc()
        self.coef_ = np.polyfit(gc, train.y, 1)
        resid = train.y - np.polyval(self.coef_, gc)
        self.var_ = float(resid.var()) + 1e-6
        return self

    def predict(self, data, *, device="cpu"):
        return Prediction(np.polyval(self.coef_, data.gc()), np.full(len(data), self.var_))

    def get_state(self):
        return {"coef": np.asarray(self.coef_), "var": self.var_}

    def set_state(self, state):
        self.coef_, self.var_ = state["coef"], state["var"]


class ToyNaN(ToyMean):
    """Returns NaN means: the runner must fail only its cells."""

    def predict(self, data, *, device="cpu"):
        pred = super().predict(data)
        return Prediction(pred.mean * np.nan, pred.var)


class ToyRaises(ToyMean):
    """Raises in fit."""

    def fit(self, train, val, *, rng, device="cpu", budget=None):
        raise RuntimeError("boom in fit")


class ToyMSE(Metric):
    """Mean squared error."""

    higher_is_better = False

    def __call__(self, data, pred, reference=None):
        return float(np.mean((data.y - pred.mean) ** 2))


class ToyZ2(Metric):
    """Mean squared z-score."""

    needs = frozenset({"var"})

    def __call__(self, data, pred, reference=None):
        return float(np.mean((data.y - pred.mean) ** 2 / pred.var))


class ToyGCShift(Shift):
    """Test set with background GC raised by 0.3 x severity."""

    kind = "covariate"

    def split(self, task, rng, sizes):
        src = source_splits(task, rng, sizes)
        ood = task.sample(task.config(gc_mean=0.5 + 0.3 * self.severity), sizes.test, src.ood_rng)
        return src.with_ood(ood, "higher GC")

    def applies_to(self, task):
        return task.kind == "generative"


@hookimpl
def rsbench_register_tasks(register):
    register("toy", ToyTask)
    register("toy_table", ToyTableTask)


@hookimpl
def rsbench_register_models(register):
    register("toy_mean", ToyMean)
    register("toy_gc", ToyGC)
    register("toy_nan", ToyNaN)
    register("toy_raises", ToyRaises)
    register("toy_slow", ToySlow)


@hookimpl
def rsbench_register_metrics(register):
    register("toy_mse", ToyMSE)
    register("toy_z2", ToyZ2)


@hookimpl
def rsbench_register_shifts(register):
    register("toy_gc_shift", ToyGCShift)


class ToySlow(ToyMean):
    """Sleeps in predict so a test can kill a run midway.

    With ``TOY_SLOW_HANG_AFTER=DIR:N`` it blocks (until killed) once ``DIR`` holds
    N finished cell files, after touching ``DIR/.hanging``: a kill test then knows
    exactly how many cells finished, whatever the machine's load.
    """

    def predict(self, data, *, device="cpu"):
        import os
        import time
        from pathlib import Path

        time.sleep(0.4)
        hang = os.environ.get("TOY_SLOW_HANG_AFTER")
        if hang:
            folder, count = hang.rsplit(":", 1)
            if len(list(Path(folder).glob("*.parquet"))) >= int(count):
                (Path(folder) / ".hanging").touch()
                time.sleep(3600)
        return super().predict(data)
