"""The generative task ``sim``: a mechanistic simulator of MPRA-measured activity."""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
import torch

from regshift_bench.api import Prediction, SeqDataset, Splits, Task
from regshift_bench.errors import DataError
from regshift_bench.motifs import MotifSet, builtin_motifs, read_meme
from regshift_bench.names import did_you_mean
from regshift_bench.paths import data_dir
from rsbench_sim import measurement as meas
from rsbench_sim.background import background
from rsbench_sim.binding import chance_threshold, cooperative_occupancy, occupancy_profile
from rsbench_sim.config import SimConfig
from rsbench_sim.planting import plant
from rsbench_sim.programs import gc_term, program_matrix, readout
from rsbench_sim.references import noise_ceiling, source_oracle
from rsbench_sim.site_truth import site_records

#: Sequences generated per chunk; fixed (not derived from n) so results do not depend
#: on the machine, and memory stays bounded for any n.
CHUNK = 2048
#: Softness of occupancy (nats); thresholds are calibrated for it.
_BINDING_SCALE = 0.5


class SimTask(Task):
    """Motif-driven regulatory activity measured by a simulated MPRA.

    Eight mechanisms, each in its own module with its parameters in
    :class:`~rsbench_sim.config.SimConfig`: background sequence (GC, CpG),
    motif set, planting, binding, cell-type programs with cooperativity, GC bias,
    saturating readout and negative-binomial measurement.

    Parameters
    ----------
    seq_len : int
        Sequence length L.
    n_motifs : int
        How many motifs to use (the first ``n_motifs`` of the set, or of ``motif_names``).
    motifs : str or None
        None: the built-in consensus motifs (no data needed). Otherwise a MEME file:
        an absolute path or one relative to the data directory
        (``"motifs/JASPAR2024_CORE_vertebrates_non-redundant.meme"``).
    motif_names : tuple of str or None
        Names or ids to select from the motif set (default: its first ``n_motifs``).
    cell_types : tuple of str
        Domains; the first is the source. At least three by default.
    program_seed : int
        Seed of the program matrix (TF roles and effects) and of the cooperative pairs.
    chance_rate : float
        Per-position, per-strand probability that a random site is at least
        half-bound; sets every TF's binding threshold.
    site_rate : float
        Expected planted sites per sequence per TF in the source domain.
    depth : float
        Mean DNA reads per element in the source domain.
    n_coop_pairs : int
        Cooperative TF pairs: distinct pairs of activators (enhanceosome-like),
        drawn with ``program_seed``. With the defaults about a quarter of source
        sequences carry a co-bound pair, so removing cooperativity changes activity
        visibly (correlation ~0.9 between activity with and without it).
    coop_strength : float
        Extra activation energy per co-bound pair of sites.
    coop_window : int
        Largest distance (bp) between the starts of two cooperating sites.
    """

    kind: ClassVar[Literal["generative", "fixed"]] = "generative"
    #: Written next to every model on every split (see :mod:`rsbench_sim.references`).
    reference_names: ClassVar[tuple[str, ...]] = ("noise_ceiling", "source_oracle")
    has_oracle: ClassVar[bool] = True
    oracle_reference: ClassVar[str] = "source_oracle"

    def __init__(
        self,
        seq_len: int = 200,
        n_motifs: int = 16,
        motifs: str | None = None,
        motif_names: tuple[str, ...] | None = None,
        cell_types: tuple[str, ...] = ("HepG2", "K562", "WTC11"),
        program_seed: int = 0,
        chance_rate: float = 2e-4,
        site_rate: float = 0.3,
        depth: float = 100.0,
        n_coop_pairs: int = 10,
        coop_strength: float = 4.0,
        coop_window: int = 100,
    ) -> None:
        self.seq_len = seq_len
        self.n_motifs = n_motifs
        self.motifs = motifs
        self.motif_names = motif_names
        self.cell_types = cell_types
        self.program_seed = program_seed
        self.chance_rate = chance_rate
        self.site_rate = site_rate
        self.depth = depth
        self.n_coop_pairs = n_coop_pairs
        self.coop_strength = coop_strength
        self.coop_window = coop_window

    # -- the fixed world: motifs, programs -------------------------------------------
    @cached_property
    def motif_set(self) -> MotifSet:
        """The TFs of this task (m motifs)."""
        if self.motifs is None:
            full = builtin_motifs()
        else:
            path = self.motifs
            if not str(path).startswith("/"):
                root = data_dir()
                assert root is not None
                path = str(root / path)
            full = read_meme(path)
        chosen = full.select(self.motif_names) if self.motif_names else full
        if self.motif_names is None:
            if self.n_motifs > len(full):
                raise DataError(f"task sim: n_motifs={self.n_motifs} but the motif set has {len(full)}")
            chosen = chosen[: self.n_motifs]
        return chosen

    @cached_property
    def _programs(self) -> tuple[np.ndarray, list[str], np.ndarray, tuple[tuple[int, int], ...]]:
        if len(self.cell_types) < 1 or len(set(self.cell_types)) != len(self.cell_types):
            raise DataError(f"task sim: cell_types must be distinct names, got {self.cell_types}")
        rng = np.random.default_rng(self.program_seed)
        effects, roles, home = program_matrix(len(self.motif_set), len(self.cell_types), rng)
        # Cooperative pairs among activators (as in enhanceosomes): distinct pairs, a TF
        # may take part in several. Enough of them that cooperativity is a visible part
        # of the source mechanism (two disjoint pairs touched ~5 % of sequences).
        act = [j for j, r in enumerate(roles) if r.endswith("activator")]
        every = [(int(a), int(b)) for i, a in enumerate(act) for b in act[i + 1 :]]
        k = min(max(self.n_coop_pairs, 0), len(every))
        chosen = sorted(rng.choice(len(every), size=k, replace=False)) if k else []
        pairs = tuple(every[i] for i in chosen)
        return effects, roles, home, pairs

    @property
    def program(self) -> pd.DataFrame:
        """The program matrix: effect of each TF (columns) in each cell type (rows)."""
        return pd.DataFrame(self._programs[0], index=list(self.cell_types), columns=list(self.motif_set.names))

    @property
    def roles(self) -> dict[str, str]:
        """Role of each TF (shared / specific activator or repressor, neutral)."""
        return dict(zip(self.motif_set.names, self._programs[1]))

    @property
    def domains(self) -> tuple[str, ...]:
        """The cell types; the first is the source domain."""
        return tuple(self.cell_types)

    @cached_property
    def _thresholds(self) -> tuple[float, ...]:
        return tuple(chance_threshold(m, self.chance_rate, _BINDING_SCALE) for m in self.motif_set)

    # -- configurations ------------------------------------------------------------------
    def config(self, domain: str | None = None, severity: float = 1.0, **changes: Any) -> SimConfig:
        """The configuration of a domain, optionally changed.

        Parameters
        ----------
        domain : str, optional
            A cell type (default: the source, ``domains[0]``).
        severity : float in [0, 1]
            For another cell type: its TF effects are
            ``(1 - severity) * source + severity * target``; 1 is the full cell type.
        **changes
            Any :class:`SimConfig` field.
        """
        effects = self._programs[0]
        row = self._cell_index(domain)
        if not 0.0 <= severity <= 1.0:
            raise DataError(f"task sim: severity must be in [0, 1], got {severity}")
        eff = (1.0 - severity) * effects[0] + severity * effects[row] if row else effects[0]
        m = len(self.motif_set)
        base = SimConfig(
            cell_type=self.cell_types[row],
            seq_len=self.seq_len,
            motifs=self.motif_set,
            site_rate=(self.site_rate,) * m,
            thresholds=self._thresholds,
            effects=tuple(eff),
            coop_pairs=self._programs[3],
            coop_strength=(self.coop_strength,) * len(self._programs[3]),
            coop_window=self.coop_window,
            depth=self.depth,
            rna_depth=self.depth,
        )
        return base.changed(**changes) if changes else base

    def _cell_index(self, domain: str | None) -> int:
        if domain is None:
            return 0
        if domain not in self.cell_types:
            hint = did_you_mean(domain, self.cell_types, n=2, cutoff=0.4)
            raise DataError(f"task sim: unknown cell type {domain!r} (known: {', '.join(self.cell_types)}){hint}")
        return self.cell_types.index(domain)

    # -- sampling ------------------------------------------------------------------------
    def sample(self, config: SimConfig, n: int, rng: np.random.Generator) -> SeqDataset:
        """Draw n examples from ``config``, in chunks of :data:`CHUNK` sequences.

        Each chunk spawns independent streams for background, planting, measurement
        design and counts, so changing a measurement parameter leaves sequences and
        ``y_true`` unchanged for the same ``rng``.
        """
        if not isinstance(config, SimConfig):
            raise DataError(f"task sim: sample() needs a SimConfig from task.config(), got {type(config).__name__}")
        if n < 0:
            raise DataError(f"task sim: n must be >= 0, got {n}")
        n_chunks = max(1, -(-n // CHUNK))
        parts = [simulate_chunk(config, min(CHUNK, n - i * CHUNK), r) for i, r in enumerate(rng.spawn(n_chunks))]
        data = SeqDataset.concat(parts) if len(parts) > 1 else parts[0]
        # The config travels with the data so references know each split's domain.
        return data.with_values(
            info={
                "motifs": config.motifs,
                "cell_type": config.cell_type,
                "config": config,
                "site_effects": site_effects(config),
            }
        )

    def reference_predictions(self, split: str, data: SeqDataset, splits: Splits) -> dict[str, Prediction]:
        """``noise_ceiling`` and ``source_oracle`` on any split (incl. ``test_ood``).

        The source domain is the one ``splits.train`` was drawn from (its
        ``info["config"]``; :meth:`config` for data without one). The oracle of
        ``val`` / ``test_id`` is memoised by content, since every shift shares them.
        """
        source = splits.train.info.get("config") or self.config()
        key = (data.fingerprint(), hash(source.motifs), repr(source.describe()))
        cache = self.__dict__.setdefault("_oracle_cache", {})
        if key not in cache:
            if len(cache) > 8:
                cache.clear()
            cache[key] = source_oracle(source, data)
        return {"noise_ceiling": noise_ceiling(data), "source_oracle": cache[key]}

    def remeasure(self, data: SeqDataset, config: SimConfig, rng: np.random.Generator) -> SeqDataset:
        """A fresh MPRA measurement of the same elements (same expected counts).

        Uses ``meta["dna_mean"]`` and ``meta["rna_mean"]``, so it also works on a
        dataset read back from ``rsbench simulate``'s Parquet file.
        """
        y, dna, rna = meas.measure(
            data.meta["dna_mean"].to_numpy(),
            data.meta["rna_mean"].to_numpy(),
            config.dna_dispersion,
            config.rna_dispersion,
            config.pseudocount,
            config.rna_depth / config.depth,
            rng,
        )
        return data.with_values(y=y, meta=data.meta.assign(dna_count=dna, rna_count=rna))


def activity(config: SimConfig, seqs: np.ndarray, gc: np.ndarray) -> dict[str, np.ndarray]:
    """Noise-free biological activity (mechanisms 4-7) of sequences (n, L).

    Returns
    -------
    dict with ``activity`` (n,) log2, ``z`` (n,) activation energy, ``occupancy``
    (n, m) expected bound sites per TF, ``coop`` (n, k) co-bound pairs and
    ``profile`` (torch, (n, m, P)) the occupancy of each TF at each start position.
    """
    with torch.no_grad():
        occ = occupancy_profile(seqs, config.motifs, np.asarray(config.thresholds), config.binding_scale)
        coop = cooperative_occupancy(occ, config.coop_pairs, config.coop_window).numpy().astype(np.float64)
        occ_sum = occ.sum(dim=2).numpy().astype(np.float64)
    z = (
        config.basal
        + occ_sum @ np.asarray(config.effects)
        + coop @ np.asarray(config.coop_strength, dtype=np.float64).reshape(-1)
        + gc_term(gc, config.gc_coef, config.gc_ref)
    )
    return {
        "activity": readout(z, config.dynamic_range, config.saturation),
        "z": z,
        "occupancy": occ_sum,
        "coop": coop,
        "profile": occ,
    }


def simulate_chunk(config: SimConfig, n: int, rng: np.random.Generator) -> SeqDataset:
    """All eight mechanisms for one chunk of n sequences."""
    r_bg, r_plant, r_design, r_counts = rng.spawn(4)
    seqs, _ = background(config, n, r_bg)
    seqs, sites = plant(config, seqs, r_plant)
    gc = ((seqs == 1) | (seqs == 2)).mean(axis=1)
    act = activity(config, seqs, gc)
    site_occupancy, site_effect = site_records(torch.as_tensor(act["profile"]), config, sites)
    batch, abundance = meas.design(config, n, r_design)
    y_true, dna_mean, rna_mean = meas.expected(config, act["activity"], gc, batch, abundance)
    noise_var = meas.noise_variance(
        dna_mean, rna_mean, config.dna_dispersion, config.rna_dispersion, config.pseudocount
    )
    y, dna, rna = meas.measure(
        dna_mean,
        rna_mean,
        config.dna_dispersion,
        config.rna_dispersion,
        config.pseudocount,
        config.rna_depth / config.depth,
        r_counts,
    )
    meta = pd.DataFrame(
        {
            "gc": gc,
            "cell_type": config.cell_type,
            "batch": np.asarray(config.batches)[batch],
            "depth": dna_mean,
            "abundance": abundance,
            "activity": act["activity"],
            "dna_mean": dna_mean,
            "rna_mean": rna_mean,
            "dna_count": dna,
            "rna_count": rna,
            "n_sites": [len(s) for s in sites],
            "sites": sites,
            "site_occupancy": site_occupancy,
            "site_effect": site_effect,
        }
    )
    return SeqDataset(seqs, y, y_true=y_true, noise_var=noise_var, meta=meta)


def site_effects(config: SimConfig) -> dict[str, float]:
    """TF name -> the largest |effect| a bound site of it has in this domain: its own
    effect or a cooperative pair's strength. Explainers are scored against the sites
    of TFs whose sites matter (``regshift_bench.sites``), so a mechanism shift that
    rewires effects changes which planted sites are ground truth."""
    names = config.motifs.names
    out = {n: abs(float(e)) for n, e in zip(names, config.effects)}
    for (a, b), strength in zip(config.coop_pairs, config.coop_strength):
        for j in (a, b):
            out[names[j]] = max(out[names[j]], abs(float(strength)))
    return out
