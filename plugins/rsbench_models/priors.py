"""Biological priors: ``motif`` (PWM occupancy features) and ``gc`` (composition).

How a prior learns the task's organism and cell type: ``fit(train)`` reads
``train.info`` (carried unchanged by every subset of a task's data): ``organism``
("human", "yeast", ...), ``cell_type`` ("HepG2", "K562", "WTC11", ...) and, on
simulated tasks, ``motifs`` (the simulator's own MotifSet). Tasks set these when
they build their data; see :mod:`rsbench_models.motif_panels` for what is chosen.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from regshift_bench import paths
from regshift_bench.api import Prior, SeqDataset
from regshift_bench.errors import DataError, PluginError
from regshift_bench.motifs import Motif, MotifSet, builtin_motifs, databases, occupancy, read_meme, scan
from regshift_bench.motifs.calibrate import pvalue_threshold, trimmed
from rsbench_models import motif_panels

#: The file of the ``jaspar_vertebrates`` database (kept for old imports).
DEFAULT_MEME = databases.DATABASES["jaspar_vertebrates"]
#: The panel every task got before panels were chosen per organism / cell type
#: (ubiquitous TFs plus liver regulators). Pass ``names=LEGACY_NAMES,
#: scaling="none"`` to reproduce the old prior.
LEGACY_NAMES = (
    "HNF1A",
    "HNF1B",
    "HNF4A",
    "FOXA2",
    "CEBPB",
    "ONECUT1",
    "NR2F2",
    "PPARA::RXRA",
    "GATA4",
    "ESRRA",
    "CTCF",
    "SP1",
    "KLF4",
    "NFYA",
    "CREB1",
    "ATF3",
    "FOS::JUN",
    "YY1",
    "NRF1",
    "ELK1",
    "GABPA",
    "TEAD1",
    "ZNF143",
    "E2F1",
    "MAX",
    "USF1",
    "REST",
    "STAT3",
    "IRF1",
    "NFE2L2",
    "NFIA",
    "TBP",
)
DEFAULT_NAMES = LEGACY_NAMES
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


#: Specificity of the built-in consensus PWMs the prior uses on a simulated task when
#: no data directory is present (the simulator's built-ins use 0.85): same consensus,
#: flatter matrices — weaker than an independent database, but never the same PWMs.
FALLBACK_SPECIFICITY = 0.6
SCALINGS = ("robust", "log1p", "none")
#: Rungs of the prior's quality ladder on simulated tasks (parameter ``source``).
SOURCES = ("database", "oracle", "decoys")


def base_composition(seqs: np.ndarray) -> np.ndarray:
    """A, C, G, T frequencies (4,) of the called bases of ``seqs`` (n, L), averaged over
    both strands (A = T, C = G) since both are scanned; uniform when nothing is called."""
    counts = np.bincount(np.asarray(seqs).ravel(), minlength=5)[:4].astype(np.float64)
    counts = counts + counts[::-1]
    return counts / counts.sum() if counts.sum() > 0 else np.full(4, 0.25)


class MotifPrior(Prior):
    """PWM occupancy features of a TF panel chosen from the task's organism and cell type.

    Parameters
    ----------
    database : str, default "auto"
        ``"auto"``: from ``train.info["organism"]`` (JASPAR 2024 fungi for yeast, JASPAR
        2024 vertebrates otherwise; HOCOMOCO / JASPAR for simulated tasks, see below).
        Or a key of :data:`regshift_bench.motifs.databases.DATABASES`, or ``"builtin"``.
    panel : str, default "auto"
        ``"auto"``: ``train.info["cell_type"]``'s panel (HepG2, K562, WTC11; ``yeast``;
        ``human`` core otherwise). Or a key of :data:`rsbench_models.motif_panels.PANELS`.
    names : sequence of str, optional
        TF names to scan, overriding the panel.
    meme_path : str, optional
        A MEME file to read instead of a database (all motifs unless ``names``).
    decoys : int, default 8
        Simulated tasks: decoy TFs added to the simulator's TFs.
    source : {"database", "oracle", "decoys"}, default "database"
        Simulated tasks, the quality ladder: ``database`` reads the simulator's TFs
        from an independent database (plus ``decoys``); ``oracle`` scans the
        simulator's own PWMs (``train.info["motifs"]``), what a perfect prior would
        give; ``decoys`` scans only TFs the simulator does not use (a prior that
        knows nothing relevant). Real tasks accept ``database`` only.
    scaling : {"robust", "log1p", "none"}
        ``robust``: log1p of summed occupancy, then every feature clipped to its
        training [q, 1 - q] quantiles and mapped to [0, 1], so no test row can leave
        the training range; ``log1p``: log1p only; ``none``: raw occupancies.
    clip_quantile : float, default 0.005
        q of ``robust`` scaling.
    pvalue : float, default 1e-4
        Per-matrix threshold: a site is half occupied at the score a random site of
        the training data's base composition reaches with probability ``pvalue``
        (FIMO's default; a more permissive threshold buries the one planted site
        under chance hits summed over a whole sequence, docs/priors.md)
        (exact score distribution; :func:`regshift_bench.motifs.calibrate.pvalue_threshold`,
        as FIMO's ``--thresh``), so every matrix has the same false-positive rate
        whatever its width and information.
    margin : float, optional
        Instead of ``pvalue``: half occupied at ``max_score - margin`` nats (the old,
        uncalibrated rule).
    trim_bits : float, default 0.25
        End columns with less information than this (bits) are trimmed before
        scanning; 0 keeps every column.

    Notes
    -----
    Features (n, 2m), both strands: per motif the max occupancy, then per motif the
    summed occupancy (log1p). Organism and cell type are read from ``train.info``.
    Without a data directory the built-in consensus motifs are used.

    On a simulated task (``train.info["motifs"]`` set) the prior does *not* scan the
    simulator's matrices: it reads the same TFs from an independent database
    (HOCOMOCO v12 when the simulator uses built-in or JASPAR motifs, JASPAR 2024
    vertebrates when it uses HOCOMOCO), so specificities differ as they would between a
    real TF and a database's model of it, plus ``decoys`` TFs the simulator does not
    use. Without a data directory: the built-in consensus of the same TFs at
    specificity :data:`FALLBACK_SPECIFICITY` plus unused built-ins as decoys.

    After ``fit``, :meth:`get_params` also reports ``chosen`` (database, panel,
    organism, cell type, TF names), so the run's ``model_params`` show what was scanned.
    """

    def __init__(
        self,
        database: str = "auto",
        panel: str = "auto",
        names: tuple[str, ...] | None = None,
        meme_path: str | None = None,
        decoys: int = 8,
        source: str = "database",
        scaling: str = "robust",
        clip_quantile: float = 0.005,
        pvalue: float = 1e-4,
        margin: float | None = None,
        trim_bits: float = 0.25,
    ) -> None:
        self.database, self.panel, self.names, self.meme_path = database, panel, names, meme_path
        self.decoys, self.source, self.scaling = decoys, source, scaling
        self.clip_quantile, self.pvalue, self.margin = clip_quantile, pvalue, margin
        self.trim_bits = trim_bits

    # -- choosing the motifs ------------------------------------------------------------
    def _choose(self, train: SeqDataset) -> tuple[MotifSet, dict[str, Any]]:
        info = train.info
        sim = info.get("motifs")
        if sim is not None and not isinstance(sim, MotifSet):
            raise DataError(f"train.info['motifs'] is {type(sim).__name__}, expected a regshift_bench.motifs.MotifSet")
        organism, cell = info.get("organism"), info.get("cell_type")
        chosen: dict[str, Any] = {"organism": organism, "cell_type": cell}
        if self.source not in SOURCES:
            raise DataError(f"motif prior: source={self.source!r}; use one of {SOURCES}")
        if self.source != "database" and (sim is None or self.names or self.meme_path):
            raise DataError(
                f"motif prior: source={self.source!r} needs a simulated task "
                "(train.info['motifs']) and no names= / meme_path=; use "
                "source='database' here"
            )
        if self.meme_path is not None:
            names = tuple(self.names) if self.names else None
            return read_meme(self.meme_path, names=names), {
                **chosen,
                "database": str(self.meme_path),
                "panel": "names" if names else "all",
            }
        if sim is not None and self.names is None and self.database == "auto":
            if self.source == "oracle":
                return sim, {**chosen, "database": "simulator (oracle)", "panel": "simulator"}
            return self._independent(sim, chosen, decoys_only=self.source == "decoys")
        database, panel = motif_panels.choose_panel(organism, cell)
        if self.database != "auto":
            database = self.database
        if self.panel != "auto":
            if self.panel not in motif_panels.PANELS:
                raise DataError(
                    f"motif prior: unknown panel {self.panel!r}; known: "
                    f"{', '.join(motif_panels.PANELS)}; or pass names="
                )
            panel = self.panel
        names = tuple(self.names) if self.names else motif_panels.PANELS[panel]
        if self.names:
            panel = "names"
        if database != "builtin" and databases.database_path(database) is not None:
            missing = "raise"
            if database == "hocomoco" and not self.names:
                # Panels are JASPAR gene symbols; HOCOMOCO names some TFs differently
                # and lacks a few (those are skipped, and ``chosen`` lists what was read).
                names = tuple(dict.fromkeys(motif_panels.to_hocomoco(n) for n in names))
                missing = "skip"
            return databases.load(database, names, missing=missing), {**chosen, "database": database, "panel": panel}
        base = builtin_motifs()
        if self.names:
            return base.select(self.names), {**chosen, "database": "builtin", "panel": panel}
        if database == "builtin":
            reason = "builtin"
        elif paths.data_dir(required=False) is None:
            reason = "builtin (no data directory)"
        else:
            reason = f"builtin ({databases.DATABASES[database]} not in the data directory)"
        return base, {**chosen, "database": reason, "panel": "builtin"}

    def _independent(
        self, sim: MotifSet, chosen: dict[str, Any], decoys_only: bool = False
    ) -> tuple[MotifSet, dict[str, Any]]:
        n_decoys = len(motif_panels.DECOYS) if decoys_only else self.decoys
        database, names = motif_panels.independent_panel(
            sim.names, sim.source, sim.ids, n_decoys, decoys_only=decoys_only
        )
        panel = "decoys only" if decoys_only else "simulator TFs + decoys"
        if databases.database_path(database) is not None:
            got = databases.load(database, names, missing="skip")
            if len(got):
                return got, {**chosen, "database": database, "panel": panel}
        # No data directory: flatter built-in consensus of the same TFs plus unused ones.
        soft = builtin_motifs(FALLBACK_SPECIFICITY)
        have = {n.upper() for n in soft.names}
        same = [] if decoys_only else [n for n in sim.names if n.upper() in have]
        decoys = [n for n in soft.names if n not in sim.names][: max(int(n_decoys), 0)]
        if not same + decoys:
            raise DataError(
                "motif prior: no independent motifs for the simulator's TFs "
                f"{list(sim.names)[:5]}; set RSBENCH_DATA_DIR or pass names="
            )
        return soft.select(same + decoys), {
            **chosen,
            "database": f"builtin (specificity {FALLBACK_SPECIFICITY}, no data directory)",
            "panel": panel,
        }

    def fit(self, train: SeqDataset) -> MotifPrior:
        if self.scaling not in SCALINGS:
            raise DataError(f"motif prior: scaling={self.scaling!r}; use one of {SCALINGS}")
        motifs, chosen = self._choose(train)
        self.background_ = base_composition(train.seqs)
        self._set_motifs(trimmed(motifs, self.trim_bits) if self.trim_bits > 0 else motifs)
        self.chosen_ = {**chosen, "names": list(motifs.names)}
        raw = self._raw(train)
        q = float(self.clip_quantile)
        self.lo_ = np.quantile(raw, q, axis=0).astype(np.float64)
        self.hi_ = np.quantile(raw, 1.0 - q, axis=0).astype(np.float64)
        return self

    def get_params(self) -> dict[str, Any]:
        params = super().get_params()
        if hasattr(self, "chosen_"):
            params["chosen"] = self.chosen_  # what fit resolved "auto" to
        return params

    def _set_motifs(self, motifs: MotifSet) -> None:
        if len(motifs) == 0:
            raise DataError("motif prior: the motif set is empty; pass names= that exist")
        self.motifs_ = motifs
        bg = tuple(getattr(self, "background_", (0.25,) * 4))
        if self.margin is not None:
            thr = [m.max_score(bg) - float(self.margin) for m in motifs]
        else:
            thr = [pvalue_threshold(m, float(self.pvalue), bg) for m in motifs]
        self.thresholds_ = np.array(thr, dtype=np.float32)

    @property
    def n_features(self) -> int | None:
        return 2 * len(self.motifs_) if hasattr(self, "motifs_") else None

    def _raw(self, data: SeqDataset) -> np.ndarray:
        """Unscaled features (n, 2m): max occupancy, then (log1p of) summed occupancy."""
        m = len(self.motifs_)
        out = np.zeros((len(data), 2 * m), dtype=np.float32)
        if data.seq_len < min(mo.width for mo in self.motifs_):
            return out  # no motif fits: nothing can be bound
        for start in range(0, len(data), _ROWS_PER_SCAN):
            rows = slice(start, start + _ROWS_PER_SCAN)
            scores = scan(data.seqs[rows], self.motifs_, tuple(self.background_))
            if data.lengths is not None:
                # A window reaching into the N padding is no site (N scores 0, not -inf),
                # so padding a batch wider must not add expected sites.
                widths = np.array([mo.width for mo in self.motifs_])
                ends = np.arange(scores.shape[2])[None, None, :] + widths[None, :, None]
                scores[ends > data.lengths[rows, None, None]] = -np.inf
            out[rows, :m] = occupancy(scores, self.thresholds_, reduce="max")
            out[rows, m:] = occupancy(scores, self.thresholds_, reduce="sum")
        if self.scaling != "none":
            out[:, m:] = np.log1p(out[:, m:])
        return out

    def features(self, data: SeqDataset) -> np.ndarray:
        if not hasattr(self, "motifs_"):
            raise PluginError("motif prior used before fit; call fit(train) first", plugin=self.name or "motif")
        raw = self._raw(data)
        if self.scaling != "robust" or not hasattr(self, "lo_"):
            return raw
        width = self.hi_ - self.lo_
        # A feature constant on training data carries nothing the head could have
        # learned; mapping it to 0 keeps rare test-only sites from dominating.
        scaled = (np.clip(raw, self.lo_, self.hi_) - self.lo_) / np.where(width > 0, width, 1.0)
        return np.where(width > 0, scaled, 0.0).astype(np.float32)

    def get_state(self) -> dict[str, Any]:
        if not hasattr(self, "motifs_"):
            return {}
        state: dict[str, Any] = {
            "names": list(self.motifs_.names),
            "ids": list(self.motifs_.ids),
            "pwms": [np.array(mo.pwm, dtype=np.float64) for mo in self.motifs_],
            "background": np.asarray(self.background_, dtype=np.float64),
            "chosen": {k: ("" if v is None else v) for k, v in getattr(self, "chosen_", {}).items()},
        }
        if hasattr(self, "lo_"):
            state.update(lo=self.lo_, hi=self.hi_)
        return state

    def set_state(self, state: dict[str, Any]) -> None:
        if not state:
            return
        self.background_ = np.asarray(state.get("background", (0.25,) * 4), dtype=np.float64)
        self._set_motifs(
            MotifSet(
                [Motif(n, i, np.asarray(p)) for n, i, p in zip(state["names"], state["ids"], state["pwms"])],
                source="saved state",
            )
        )
        if "chosen" in state:
            self.chosen_ = {k: (None if v == "" else v) for k, v in state["chosen"].items()}
        if "lo" in state:
            self.lo_ = np.asarray(state["lo"], dtype=np.float64)
            self.hi_ = np.asarray(state["hi"], dtype=np.float64)
