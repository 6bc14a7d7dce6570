"""The public plugin API of regshift-bench (DESIGN.md §3)."""

from __future__ import annotations

from regshift_bench.api.base import Configurable
from regshift_bench.api.datafiles import DataFile, Dataset
from regshift_bench.api.dataset import SeqDataset, Splits, SplitSizes
from regshift_bench.api.encoding import decode, encode, gc_fraction, onehot, revcomp
from regshift_bench.api.fit_report import FitReport, fit_report
from regshift_bench.api.explainer import Explainer, NotApplicable
from regshift_bench.api.metric import Metric
from regshift_bench.api.model import Budget, Model
from regshift_bench.api.prediction import Prediction
from regshift_bench.api.prior import Prior
from regshift_bench.api.shift import Shift
from regshift_bench.api.splitting import SourceSplits, cap, group_labels, group_split, source_splits
from regshift_bench.api.task import Task

__all__ = [
    "FitReport", "fit_report",
    "Budget", "Configurable", "DataFile", "Dataset", "Explainer", "Metric", "Model", "NotApplicable",
    "Prediction", "Prior", "SeqDataset",
    "Shift", "SplitSizes", "Splits", "Task", "decode", "encode", "gc_fraction", "onehot",
    "revcomp", "SourceSplits", "cap", "group_labels", "group_split", "source_splits",
]
