"""Biological priors: ``motif`` (PWM occupancy features) and ``gc`` (composition)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from regshift_bench import paths
from regshift_bench.api import Prior, SeqDataset
from regshift_bench.errors import DataError, PluginError
from regshift_bench.motifs import Motif, MotifSet, builtin_motifs, occupancy, read_meme, scan

#: The JASPAR file used when a dataset carries no motif set and no ``meme_path`` is given.
DEFAULT_MEME = "motifs/JASPAR2024_CORE_vertebrates_non-redundant.meme"
#: A subset of JASPAR: ubiquitous promoter/enhancer TFs plus liver (HepG2) regulators;
#: scanning all 879 motifs would cost ~30x more for mostly redundant features.
DEFAULT_NAMES = (
    "HNF1A", "HNF1B", "HNF4A", "FOXA2", "CEBPB", "ONECUT1", "NR2F2", "PPARA::RXRA",
    "GATA4", "ESRRA", "CTCF", "SP1", "KLF4", "NFYA", "CREB1", "ATF3", "FOS::JUN", "YY1",
    "NRF1", "ELK1", "GABPA", "TEAD1", "ZNF143", "E2F1", "MAX", "USF1", "REST", "STAT3",
    "IRF1", "NFE2L2", "NFIA", "TBP",
)
_ROWS_PER_SCAN = 1024  # bounds scan memory: (rows, m, L, 2) float32


class GCPrior(Prior):
    """Global composition: GC fraction, CpG frequency and CpG observed/expected.

    Features (n, 3), over called (non-N) bases of each sequence of length ``l``:
    ``gc = (#C + #G) / l``; ``cpg = #CG / (l - 1)``; ``cpg_oe = #CG * l / (#C * #G)``
    (Gardiner-Garden & Frommer 1987; 0 when there is no C or no G). Stateless.
    """

    feature_names = ("gc", "cpg", "cpg_oe")

    def __init__(self) -> None:
        pass

    @property
    def n_features(self) -> int:
        return 3

    def features(self, data: SeqDataset) -> np.ndarray:
        s = data.seqs
        called = (s < 4).sum(1).astype(np.float64)
        c, g = (s == 1).sum(1).astype(np.float64), (s == 2).sum(1).astype(np.float64)
        cg = ((s[:, :-1] == 1) & (s[:, 1:] == 2)).sum(1).astype(np.float64)
        gc = np.where(called > 0, (c + g) / np.maximum(called, 1), 0.0)
        cpg = np.where(called > 1, cg / np.maximum(called - 1, 1), 0.0)
        oe = np.where(c * g > 0, cg * called / np.maximum(c * g, 1), 0.0)
        return np.column_stack([gc, cpg, oe]).astype(np.float32)

    def get_state(self) -> dict[str, Any]:
        return {}

    def set_state(self, state: dict[str, Any]) -> None:
        pass


class MotifPrior(Prior):
    """PWM occupancy features: per motif, the strongest site and the expected site count.

    Parameters
    ----------
    meme_path : str, optional
        MEME motif file used when the training data carries no motif set
        (``train.info["motifs"]``). By default ``$RSBENCH_DATA_DIR/`` + :data:`DEFAULT_MEME`
        restricted to :data:`DEFAULT_NAMES` (32 TFs); with no data directory, the
        built-in set :func:`regshift_bench.motifs.builtin_motifs` (26 TFs).
    names : sequence of str, optional
        Motif names/ids to keep from the file (default :data:`DEFAULT_NAMES` for the
        default file, all motifs for an explicit ``meme_path``).
    margin : float, default 4.0
        A site is half occupied at ``max_score - margin`` nats (its motif's best score
        minus ``margin``): occupancy ``sigmoid(score - (max_score - margin))``.

    Notes
    -----
    Features (n, 2m), both strands: ``[max occupancy of motif 1..m, summed occupancy of
    motif 1..m]``. The chosen motif set is part of the fitted state (saved with a model).
    """

    def __init__(self, meme_path: str | None = None, names: tuple[str, ...] | None = None,
                 margin: float = 4.0) -> None:
        self.meme_path, self.names, self.margin = meme_path, names, margin

    def _choose(self, train: SeqDataset) -> MotifSet:
        info = train.info.get("motifs")
        if info is not None and self.meme_path is None:
            if not isinstance(info, MotifSet):
                raise DataError(f"train.info['motifs'] is {type(info).__name__}, expected a "
                                "regshift_bench.motifs.MotifSet")
            return info.select(self.names) if self.names else info
        if self.meme_path is not None:
            return read_meme(self.meme_path, names=self.names)
        root = paths.data_dir(required=False)
        if root is not None and (Path(root) / DEFAULT_MEME).is_file():
            return read_meme(Path(root) / DEFAULT_MEME, names=self.names or DEFAULT_NAMES)
        base = builtin_motifs()
        return base.select(self.names) if self.names else base

    def fit(self, train: SeqDataset) -> MotifPrior:
        self._set_motifs(self._choose(train))
        return self

    def _set_motifs(self, motifs: MotifSet) -> None:
        if len(motifs) == 0:
            raise DataError("motif prior: the motif set is empty; pass names= that exist")
        self.motifs_ = motifs
        self.thresholds_ = np.array([m.max_score() - float(self.margin) for m in motifs],
                                    dtype=np.float32)

    @property
    def n_features(self) -> int | None:
        return 2 * len(self.motifs_) if hasattr(self, "motifs_") else None

    def features(self, data: SeqDataset) -> np.ndarray:
        if not hasattr(self, "motifs_"):
            raise PluginError("motif prior used before fit; call fit(train) first",
                              plugin=self.name or "motif")
        m = len(self.motifs_)
        out = np.zeros((len(data), 2 * m), dtype=np.float32)
        if data.seq_len < min(mo.width for mo in self.motifs_):
            return out  # no motif fits: nothing can be bound
        for start in range(0, len(data), _ROWS_PER_SCAN):
            rows = slice(start, start + _ROWS_PER_SCAN)
            scores = scan(data.seqs[rows], self.motifs_)
            if data.lengths is not None:
                # A window reaching into the N padding is no site (N scores 0, not -inf),
                # so padding a batch wider must not add expected sites.
                widths = np.array([mo.width for mo in self.motifs_])
                ends = np.arange(scores.shape[2])[None, None, :] + widths[None, :, None]
                scores[ends > data.lengths[rows, None, None]] = -np.inf
            out[rows, :m] = occupancy(scores, self.thresholds_, reduce="max")
            out[rows, m:] = occupancy(scores, self.thresholds_, reduce="sum")
        return out

    def get_state(self) -> dict[str, Any]:
        if not hasattr(self, "motifs_"):
            return {}
        return {"names": list(self.motifs_.names), "ids": list(self.motifs_.ids),
                "pwms": [np.array(mo.pwm, dtype=np.float64) for mo in self.motifs_]}

    def set_state(self, state: dict[str, Any]) -> None:
        if state:
            self._set_motifs(MotifSet([Motif(n, i, np.asarray(p)) for n, i, p in
                                       zip(state["names"], state["ids"], state["pwms"])],
                                      source="saved state"))
