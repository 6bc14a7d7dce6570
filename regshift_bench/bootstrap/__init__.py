"""Per-example bootstrap intervals for any metric, and a paired version.

The leaderboard calls :func:`bootstrap_metric` for an interval on one model's score
and :func:`paired_bootstrap` for the difference between two models scored on the
*same* resampled examples (the pairing removes the example-to-example variation the
two models share, so the interval on a difference is much tighter than two separate
intervals suggest).

A metric is used through duck typing, fastest path first:

0. ``metric.prepare(y, mean, var, y_true, noise_var) -> state`` and
   ``metric.resampled(state, idx) -> (b,)`` for index blocks ``idx`` (b, n): the
   metric does one-off work (e.g. a sort) and scores resamples from indices
   (rank-based metrics score them as example counts in O(n), no re-sort).
1. ``metric.stats(y, mean, var, y_true, noise_var) -> (k, n)`` and
   ``metric.finalize(m) -> (B,)`` where ``m`` (k, B) holds resample means of the
   per-example statistics: mean-decomposable metrics (MSE, NLL, coverage, Pearson
   via centred moments, ...). Statistics are computed once; each resample only
   gathers and averages them.
2. ``metric.batched(y, mean, var, y_true=None, noise_var=None) -> (B,)`` on
   arrays of shape (B, n): rank-based metrics (Spearman, AURC, ENCE, ...).
3. ``metric.compute(y, mean, var, y_true=None, noise_var=None) -> float``, looped.
4. the plugin's own ``metric(data, pred)`` on each resample: every metric written
   to the :class:`~regshift_bench.api.Metric` contract, third-party included.

The leaderboard uses :func:`paired_scores`: one metric for several models on
shared indices, with each model's full-sample value from the plugin's
``__call__`` (so it equals ``results.parquet``).

Indices are drawn in row blocks of at most ``max_elements`` entries so 1,000
resamples of 100k examples never hold the full (B, n) matrix; the stream of
indices does not depend on the block size, so results are the same for any memory
limit. Metrics that need a ``reference`` split (``ood_auroc``) get a stratified
bootstrap: test and reference examples are resampled separately, each from its own
child generator.

Examples
--------
>>> import numpy as np
>>> from regshift_bench.bootstrap import bootstrap_metric
>>> rng = np.random.default_rng(0)
>>> y = rng.normal(size=500); mean = y + rng.normal(size=500); var = np.ones(500)
>>> res = bootstrap_metric("mse", y, mean, var, n_boot=200)   # doctest: +SKIP
>>> res.low < res.estimate < res.high                           # doctest: +SKIP
True
"""

from __future__ import annotations

from regshift_bench.bootstrap.examples import Examples, call_metric
from regshift_bench.bootstrap.hierarchical import (
    METHOD,
    exceed_pvalue,
    holm,
    seed_average,
    seed_draws,
    two_sided_pvalue,
)
from regshift_bench.bootstrap.indices import bootstrap_indices, iter_bootstrap_indices
from regshift_bench.bootstrap.intervals import BootstrapResult, bootstrap_metric, paired_bootstrap
from regshift_bench.bootstrap.paired import paired_scores, resolve_metric
from regshift_bench.bootstrap.scorer import ResampleScorer, batched_function, make_scorer

__all__ = [
    "METHOD",
    "exceed_pvalue",
    "holm",
    "seed_average",
    "seed_draws",
    "two_sided_pvalue",
    "BootstrapResult",
    "Examples",
    "ResampleScorer",
    "batched_function",
    "bootstrap_indices",
    "bootstrap_metric",
    "call_metric",
    "iter_bootstrap_indices",
    "make_scorer",
    "paired_bootstrap",
    "paired_scores",
    "resolve_metric",
]
