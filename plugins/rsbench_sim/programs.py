"""Mechanisms 5-7: cell-type programs (TF effects, cooperativity), GC bias, readout."""

from __future__ import annotations

import numpy as np

#: Roles a TF can have in the program matrix.
ROLES = ("shared_activator", "specific_activator", "shared_repressor", "specific_repressor", "neutral")


def program_matrix(n_tf: int, n_cell: int, rng: np.random.Generator) -> tuple[np.ndarray, list[str], np.ndarray]:
    """TF effects per cell type (mechanism 5).

    Roles are dealt in fixed proportions to a random order of the TFs: ~35 % shared
    activators (positive in every cell type, +-15 % between cell types), ~30 %
    cell-type-specific activators (strong in one cell type, ~0 elsewhere), ~10 %
    shared repressors, ~15 % cell-type-specific repressors, the rest neutral.
    Specific roles cycle over cell types so every cell type has its own program.

    Returns
    -------
    effects : numpy.ndarray, shape (n_cell, n_tf)
        Change in activation energy per bound site.
    roles : list of str, length n_tf
    home : numpy.ndarray of int, shape (n_tf,)
        The cell type a specific TF acts in (-1 for shared / neutral).
    """
    order = rng.permutation(n_tf)
    bounds = np.round(np.cumsum([0.35, 0.30, 0.10, 0.15]) * n_tf).astype(int)
    role_of = np.searchsorted(bounds, np.arange(n_tf), side="right")  # position -> role index
    effects = np.zeros((n_cell, n_tf))
    roles = [""] * n_tf
    home = np.full(n_tf, -1)
    n_specific = 0
    for pos, j in enumerate(order):
        role = ROLES[role_of[pos]]
        roles[j] = role
        if role == "shared_activator":
            effects[:, j] = rng.uniform(0.6, 1.4) * rng.uniform(0.85, 1.15, size=n_cell)
        elif role == "shared_repressor":
            effects[:, j] = -rng.uniform(0.6, 1.4) * rng.uniform(0.85, 1.15, size=n_cell)
        elif role.startswith("specific"):
            home[j] = n_specific % n_cell
            n_specific += 1
            effects[:, j] = rng.normal(0.0, 0.05, size=n_cell)
            sign = 1.0 if role == "specific_activator" else -1.0
            effects[home[j], j] = sign * rng.uniform(1.0, 1.8)
    return effects, roles, home


def gc_term(gc: np.ndarray, coef: float, ref: float) -> np.ndarray:
    """Mechanism 6: ``coef * (gc - ref)``, the coupling of activity to GC content.

    Stands for GC-dependent effects not mediated by the modelled TFs (nucleosome
    depletion of GC-rich DNA, CpG-island promoters).
    """
    return coef * (gc - ref)


def readout(z: np.ndarray, dynamic_range: float, saturation: float = 0.0) -> np.ndarray:
    """Mechanism 7: saturating transcription, log2 activity of activation energy z.

    ``log2(floor + (ceil - floor) * sigmoid(z))`` with ``floor = 2**(-dr/2)`` and
    ``ceil = 2**(dr/2)``: log-linear in z for weak elements, saturating at the
    ceiling for strong ones (polymerase loading, finite reporter output), and a
    floor of leaky background transcription.

    ``saturation`` > 0 adds a saturating reporter (Michaelis-Menten in linear output,
    ``out / (1 + saturation * out)``): weak elements are unchanged, strong ones are
    compressed towards ``-log2(saturation)``. 0 returns exactly the plain readout.

    Returns
    -------
    numpy.ndarray, shape like z, values in [-dr/2, dr/2]
    """
    floor, ceil = 2.0 ** (-dynamic_range / 2), 2.0 ** (dynamic_range / 2)
    out = np.log2(floor + (ceil - floor) / (1.0 + np.exp(-z)))
    return out - np.log2(1.0 + saturation * np.exp2(out))
