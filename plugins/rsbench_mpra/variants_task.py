"""The ``variants`` task and the ``variant_effect`` shift: effects of sequence changes.

A variant task pairs a *training task* (any registered fixed task, e.g.
``mpra_hepg2``) with a table of measured variant effects. Its training, validation
and in-distribution test data are the training task's (:meth:`VariantsTask.load`
returns that task's data, grouped by its ``group_column``), so the ``none`` shift
gives the model's in-distribution reference. The ``variant_effect`` shift keeps those
parts and adds one OOD set per element, ``test_ood/<element>``, holding the ref and
alt windows of its variants (:mod:`rsbench_mpra.variant_effects`);
:meth:`VariantsTask.score` turns their predictions into effect metrics.

A task file alone describes a user's table::

    version = 1
    name = "my_variants"
    kind = "variants"
    path = "variants.tsv"
    train_task = "mpra_hepg2"        # or a task file, e.g. "train.toml"
    ref_column = "ref_seq"
    alt_column = "alt_seq"           # full sequences, or instead:
    # position_column = "pos"; alt_allele_column = "alt"; ref_allele_column = "ref"
    effect_column = "log2_effect"
    group_column = "element"         # optional: the element of each variant
    pvalue_column = "p"              # optional: enables sign agreement
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from regshift_bench import get_plugin
from regshift_bench.api import SeqDataset, Shift, Splits, SplitSizes, Task, cap, source_splits
from regshift_bench.errors import DataError, RegshiftError
from rsbench_mpra import table, variant_effects, variants
from rsbench_mpra.variants import Variants


class VariantsTask(Task):
    """Measured effects of sequence changes, scored with a model of a training task.

    Parameters
    ----------
    path : str
        The variant table (TSV / CSV / Parquet, gzip allowed).
    train_task : str
        Registered fixed task whose training data trains the model.
    effect_column : str
        Measured effect of each variant (alt relative to ref, on the training task's
        activity scale, e.g. log2).
    ref_column : str
        The element's full reference sequence on each row.
    alt_column : str, optional
        The full alt sequence (layout 1); excludes ``position_column``.
    position_column, alt_allele_column : str, optional
        Position (0-based unless ``one_based``) and alt allele (``-`` = deletion)
        (layout 2).
    ref_allele_column : str, optional
        Layout 2: reference bases replaced, checked against the reference.
    group_column : str, optional
        The element of each variant; scores are per element. Without it, rows with
        the same reference sequence form one element.
    pvalue_column : str, optional
        p-value of the measured effect; enables ``effect_sign_agreement``.
    id_column : str, optional
        Variant ids (unique); default ``<element>:<pos>:<ref>><alt>``.
    train_params : mapping, optional
        Parameters of the training task.
    window : int, optional
        Window length; default the training sequences' length.
    one_based : bool
        Positions count from 1.
    alpha : float
        Significance level of the measured effect for sign agreement.
    max_edit : int
        Layout 1: most bases ref and alt may differ by before the row is refused as
        two different elements.
    sep : str, optional
        Separator override for text tables.
    """

    kind = "fixed"

    def __init__(
        self,
        path: str,
        train_task: str,
        effect_column: str = "effect",
        ref_column: str = "ref",
        alt_column: str | None = None,
        position_column: str | None = None,
        alt_allele_column: str | None = None,
        ref_allele_column: str | None = None,
        group_column: str | None = None,
        pvalue_column: str | None = None,
        id_column: str | None = None,
        train_params: Mapping[str, Any] | None = None,
        window: int | None = None,
        one_based: bool = False,
        alpha: float = 1e-5,
        max_edit: int = 10,
        sep: str | None = None,
    ) -> None:
        self.path = path
        self.train_task = train_task
        self.effect_column = effect_column
        self.ref_column = ref_column
        self.alt_column = alt_column
        self.position_column = position_column
        self.alt_allele_column = alt_allele_column
        self.ref_allele_column = ref_allele_column
        self.element_column = group_column  # group_column (below) is the training task's
        self.pvalue_column = pvalue_column
        self.id_column = id_column
        self.train_params = train_params
        self.window = window
        self.one_based = one_based
        self.alpha = alpha
        self.max_edit = max_edit
        self.sep = sep

    # -- the training side --------------------------------------------------------------
    def get_params(self) -> dict[str, Any]:
        # ``group_column`` reads back the constructor value, not the training task's.
        return {k: self.element_column if k == "group_column" else getattr(self, k) for k in self._param_names()}

    def training_task(self) -> Task:
        """The configured training task (built once)."""
        if getattr(self, "_train", None) is None:
            task = get_plugin("task", self.train_task, **dict(self._train_params()))
            if task.kind != "fixed":
                raise RegshiftError(
                    f"task {self.name or 'variants'!r}: train_task "
                    f"{self.train_task!r} is {task.kind}; variant tasks train "
                    "on a fixed task's data (e.g. mpra_hepg2 or a table)"
                )
            self._train = task
        return self._train

    def _train_params(self) -> Mapping[str, Any]:
        return self.train_params or {}

    @property  # type: ignore[override]
    def group_column(self) -> str | None:  # type: ignore[override]
        """The training task's group column: training data is split by it."""
        return self.training_task().group_column

    def load(self, domain: str | None = None) -> SeqDataset:
        """The training task's data (train / val / test_id come from it).

        Loading also validates the variant table, so a malformed table is one
        error at plan time.
        """
        if domain is not None:
            raise DataError(f"task {self.name or 'variants'!r} has no domains")
        data = self.training_task().load()
        self.width(data)
        self.variants()
        return data

    def width(self, data: SeqDataset | None = None) -> int:
        """Window length: ``window``, else the (uniform) training sequence length, else
        the one length of the table's reference sequences (training data of several
        lengths, e.g. ``dream_yeast``: the model reads padded sequences anyway)."""
        if self.window is not None:
            return int(self.window)
        data = data if data is not None else self.training_task().load()
        if data.lengths is None:
            return data.seq_len
        lengths = sorted({len(r) for r in self.variants().references.values()})
        if len(lengths) == 1:
            return lengths[0]
        shown = ", ".join(map(str, lengths[:5])) + (", ..." if len(lengths) > 5 else "")
        raise DataError(
            f"task {self.name or 'variants'!r}: training task {self.train_task!r} "
            f"has sequences of several lengths, and so do the table's reference "
            f"sequences ({shown}); set window = <length> in the task file"
        )

    # -- the variant side ----------------------------------------------------------------
    def variants(self) -> Variants:
        """The validated variant table (parsed once per process)."""
        key = tuple(
            sorted(
                (k, v)
                for k, v in self.get_params().items()
                if k not in ("train_params", "train_task", "window", "alpha")
            )
        )
        mtime = os.path.getmtime(self.path) if os.path.exists(self.path) else 0.0
        return _read_variants(key, mtime)

    def skip_reason(self, element: str) -> str:
        """Why ``element`` is not scored ("" = it is scored); a user table scores all."""
        return ""

    def published(self, element: str) -> dict[str, float]:
        """Published reference scores of ``element`` (``published_<metric>``)."""
        return {}

    def variant_sets(self, rng: np.random.Generator, n: int | None) -> dict[str, SeqDataset]:
        """One set per element, at most ``n`` variants each (a random subset).

        A skipped element gets a one-row placeholder so its reason reaches the results.
        """
        found = self.variants()
        width = self.width()
        sets = {}
        frame = found.frame
        for element, r in zip(found.elements(), rng.spawn(len(found.elements()))):
            reason = self.skip_reason(element)
            if reason:
                sets[element] = variant_effects.placeholder_set(found.references[element], element, width, reason)
                continue
            rows = cap(np.flatnonzero((frame["element"] == element).to_numpy()), n, r)
            sub = Variants(frame.iloc[rows], found.references, found.source)
            sets[element] = variant_effects.effect_set(sub, element, width)
        return sets

    def score(self, split: str, data: SeqDataset, pred: Any) -> dict[str, Any]:
        """Effect metrics of a variant set (and published references); else none."""
        if not variant_effects.is_variant_set(data):
            return {}
        element = str(data.info.get("element", ""))
        reason = data.info.get("skipped")
        if reason:
            from regshift_bench.errors import MetricSkipped

            out: dict[str, Any] = {m: MetricSkipped(str(reason)) for m in variant_effects.EFFECT_METRICS}
        else:
            effects = variant_effects.predicted_effects(data, pred)
            out = variant_effects.effect_scores(effects, float(self.alpha))
        return {**out, **self.published(element)}


@functools.lru_cache(maxsize=8)
def _read_variants(key: tuple, mtime: float) -> Variants:
    p = dict(key)
    source = os.path.basename(p["path"])
    frame = table.read_table(p["path"], sep=p["sep"])
    full = p["alt_column"] is not None
    if full == (p["position_column"] is not None or p["alt_allele_column"] is not None):
        raise DataError(
            f"{source}: give either alt_column (full alt sequences) or "
            "position_column + alt_allele_column (edits of ref_column), not both "
            "or neither"
        )
    if not full and (p["position_column"] is None or p["alt_allele_column"] is None):
        raise DataError(f"{source}: position_column and alt_allele_column go together; set both")
    columns = {
        k: p[k]
        for k in (
            "ref_column",
            "alt_column",
            "position_column",
            "alt_allele_column",
            "ref_allele_column",
            "effect_column",
            "pvalue_column",
            "id_column",
        )
    }
    table.require_columns(frame, {**columns, "group_column": p["group_column"]}, source)
    refs = table.clean_sequences(frame[p["ref_column"]], source=source, column=p["ref_column"])
    effect = table.numeric_column(frame, p["effect_column"], source=source)
    pvalue = table.numeric_column(frame, p["pvalue_column"], source=source) if p["pvalue_column"] else None
    ids = frame[p["id_column"]].astype(str).tolist() if p["id_column"] else None
    if full:
        alts = table.clean_sequences(frame[p["alt_column"]], source=source, column=p["alt_column"])
        return variants.from_sequences(
            frame,
            refs,
            alts,
            effect=effect,
            pvalue=pvalue,
            ids=ids,
            group_column=p["group_column"],
            source=source,
            ref_column=p["ref_column"],
            alt_column=p["alt_column"],
            max_edit=int(p["max_edit"]),
        )
    elements = variants.element_names(frame, p["group_column"], refs, source)
    references = variants.one_reference_per_element(
        elements, refs, np.arange(1, len(frame) + 1), source, p["ref_column"]
    )
    ref_alleles = frame[p["ref_allele_column"]].tolist() if p["ref_allele_column"] else None
    return variants.from_positions(
        elements,
        references,
        frame[p["position_column"]].to_numpy(),
        ref_alleles,
        frame[p["alt_allele_column"]].tolist(),
        effect,
        pvalue,
        ids,
        source=source,
        position_column=p["position_column"],
        ref_allele_column=p["ref_allele_column"] or "",
        alt_allele_column=p["alt_allele_column"],
        one_based=bool(p["one_based"]),
    )


class VariantEffect(Shift):
    """Train on the training task of a variant task; test on the effects of its variants.

    ``train``, ``val`` and ``test_id`` are exactly the ``none`` shift's (the trained
    model is reused); ``test_ood/<element>`` holds each element's ref and alt rows,
    at most ``sizes.test`` variants per element (a random subset, so presets stay
    small; ``full`` keeps all). Only plain per-row metrics are skipped on those sets:
    the task scores them (effect Pearson, Spearman, sign agreement, coverage, z²).
    Severity has no effect.
    """

    kind = "covariate"
    changes_train = False
    changes_inputs = True  # variant sequences
    default_severities = (1.0,)

    def applies_to(self, task: Task) -> bool:
        return callable(getattr(task, "variant_sets", None))

    def split(self, task: Task, rng: np.random.Generator, sizes: SplitSizes) -> Splits:
        if not self.applies_to(task):
            raise RegshiftError(
                f"variant_effect: task {task.name!r} has no variants; use a "
                'variant task (kind = "variants" or kircher_satmut)'
            )
        src = source_splits(task, rng, sizes)
        sets = task.variant_sets(src.ood_rng, sizes.test)  # type: ignore[attr-defined]
        skipped = sum(bool(d.info.get("skipped")) for d in sets.values())
        train = getattr(task, "train_task", "?")
        return src.with_ood(
            sets,
            f"train on {train}; test_ood/<element>: ref and alt "
            f"windows of each element's variants ({len(sets) - skipped} "
            f"elements scored, {skipped} skipped)",
        )
