"""Conformal intervals normalised by the model's sigma: split and weighted.

The nonconformity score of an example is ``|y − μ| / σ``. Split conformal (Vovk et
al. 2005; Lei et al. 2018) takes the ``⌈(n+1)·level⌉``-th smallest validation score
as the interval's half-width in units of σ (:func:`conformal_quantile`; the tests
check it against the ``crepes`` library, whose index ``int((1 − level)(n + 1))``
can round one rank high when ``(n + 1)·level`` is a whole number). The interval
comes back as a variance (:func:`interval_var`), so every built-in coverage and
width metric reads it.

Weighted conformal (Tibshirani, Barber, Candès and Ramdas 2019, "Conformal
prediction under covariate shift") weights each validation score by the likelihood
ratio ``w(x) = p_target(x) / p_val(x)``, estimated by a logistic-regression
classifier separating validation inputs from the split's *unlabelled* inputs. Its
guarantee holds under covariate shift only (``p(y | x)`` unchanged): under a label,
mechanism or measurement shift it has none.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from regshift_bench.api import Context, Intervention, Prediction, SeqDataset
from regshift_bench.api.intervention import interval_var
from regshift_bench.errors import PluginError


def scores(y: np.ndarray, pred: Prediction) -> np.ndarray:
    """Normalised nonconformity ``|y − μ| / σ``, shape (n,)."""
    return np.abs(np.asarray(y, np.float64) - pred.mean) / np.sqrt(pred.var)


def conformal_quantile(cal_scores: np.ndarray, level: float) -> float:
    """The ``⌈(n+1)·level⌉``-th smallest of ``n`` scores; +inf when that exceeds ``n``.

    Parameters
    ----------
    cal_scores : numpy.ndarray, shape (n,)
    level : float
        Nominal coverage in (0, 1).
    """
    n = len(cal_scores)
    # The small tolerance keeps (n+1)·level = 900.0000000001 from becoming rank 901.
    rank = math.ceil((n + 1) * level - 1e-9)
    return float(np.sort(cal_scores)[rank - 1]) if rank <= n else math.inf


def _with_var(pred: Prediction, var: np.ndarray) -> Prediction:
    return Prediction(pred.mean, var)


class SplitConformal(Intervention):
    """Split-conformal interval of nominal ``level``, calibrated on validation (posthoc).

    Parameters
    ----------
    level : float
        Nominal coverage in (0, 1). Needs at least ``1/(1 − level) − 1`` validation
        examples for a finite interval (9 at 0.9).
    """

    stage: ClassVar[str] = "posthoc"

    def __init__(self, level: float = 0.9) -> None:
        self.level = level

    def calibrate(self, val: SeqDataset, pred: Prediction, *, rng: np.random.Generator) -> None:
        half = conformal_quantile(scores(val.y, pred), float(self.level))
        if not np.isfinite(half):
            raise PluginError(
                f"{len(val)} validation examples are too few for a finite "
                f"{self.level:g} interval; use a larger validation split",
                plugin=self.name or "conformal",
            )
        self.q_ = float(half)  # half-width in units of sigma

    def adjust(self, data: SeqDataset, pred: Prediction, context: Context) -> Prediction:
        return _with_var(pred, interval_var(self.q_ * np.sqrt(pred.var), self.level))


def kmer_features(data: SeqDataset, k: int = 3) -> np.ndarray:
    """Overlapping k-mer frequencies plus GC fraction, shape (n, 4**k + 1).

    k-mers containing N (or padding) are not counted.
    """
    seqs = data.seqs.astype(np.int64)
    n, length = seqs.shape
    codes = np.zeros((n, max(length - k + 1, 0)), dtype=np.int64)
    valid = np.ones_like(codes, dtype=bool)
    for j in range(k):
        part = seqs[:, j : length - k + 1 + j]
        valid &= part < 4
        codes = codes * 4 + np.minimum(part, 3)
    counts = np.zeros((n, 4**k))
    rows = np.repeat(np.arange(n), codes.shape[1])
    np.add.at(counts, (rows[valid.ravel()], codes.ravel()[valid.ravel()]), 1.0)
    counts /= np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
    return np.hstack([counts, data.gc()[:, None].astype(np.float64)])


def weighted_quantile(cal_scores: np.ndarray, cal_w: np.ndarray, test_w: np.ndarray, level: float) -> np.ndarray:
    """Tibshirani et al. (2019) weighted conformal quantile for each test point.

    Parameters
    ----------
    cal_scores, cal_w : numpy.ndarray, shape (n,)
        Calibration scores and their likelihood-ratio weights.
    test_w : numpy.ndarray, shape (m,)
        Weight of each test point (its own mass sits at +inf).
    level : float

    Returns
    -------
    numpy.ndarray, shape (m,)
        The ``level`` quantile of ``Σ p_i δ_{s_i} + p_test δ_{+inf}``; +inf where the
        calibration mass never reaches ``level``.
    """
    order = np.argsort(cal_scores, kind="stable")
    s, w = cal_scores[order], cal_w[order]
    cum = np.cumsum(w)
    need = level * (cum[-1] + np.asarray(test_w, np.float64))
    idx = np.searchsorted(cum, need - 1e-12 * cum[-1], side="left")
    out = np.full(len(test_w), np.inf)
    ok = idx < len(s)
    out[ok] = s[idx[ok]]
    return out


class WeightedConformal(Intervention):
    """Covariate-shift weighted conformal interval (posthoc; valid under covariate shift only).

    Parameters
    ----------
    level : float
        Nominal coverage.
    k : int
        k-mer size of the classifier's features (plus GC fraction).
    C : float
        Inverse L2 strength of the logistic regression.
    max_weight : float
        Likelihood ratios are clipped to ``[1/max_weight, max_weight]`` so one
        extreme input cannot take all the mass. A test point whose weighted
        calibration mass never reaches ``level`` gets the largest calibration score
        (a finite interval; its guarantee is then approximate).
    """

    stage: ClassVar[str] = "posthoc"

    def __init__(self, level: float = 0.9, k: int = 2, C: float = 0.1, max_weight: float = 100.0) -> None:
        self.level = level
        self.k = k
        self.C = C
        self.max_weight = max_weight

    def calibrate(self, val: SeqDataset, pred: Prediction, *, rng: np.random.Generator) -> None:
        self.scores_ = scores(val.y, pred)
        self.features_ = kmer_features(val, int(self.k))

    def weights(self, data: SeqDataset, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """Likelihood ratios of the calibration inputs (n,) and of ``data``'s inputs (m,)."""
        target = kmer_features(data, int(self.k))
        x = np.vstack([self.features_, target])
        label = np.r_[np.zeros(len(self.features_)), np.ones(len(target))]
        clf = make_pipeline(StandardScaler(), LogisticRegression(C=self.C, max_iter=2000, random_state=seed))
        p = np.clip(clf.fit(x, label).predict_proba(x)[:, 1], 1e-6, 1 - 1e-6)
        # Odds times the class-size ratio estimate p_target(x) / p_val(x).
        ratio = p / (1 - p) * len(self.features_) / len(target)
        ratio = np.clip(ratio, 1 / self.max_weight, self.max_weight)
        return ratio[: len(self.features_)], ratio[len(self.features_) :]

    def adjust(self, data: SeqDataset, pred: Prediction, context: Context) -> Prediction:
        cal_w, test_w = self.weights(data, int(context.rng.integers(2**31 - 1)))
        q = weighted_quantile(self.scores_, cal_w, test_w, float(self.level))
        q = np.where(np.isfinite(q), q, self.scores_.max())
        return _with_var(pred, interval_var(np.maximum(q, 1e-6) * np.sqrt(pred.var), self.level))
