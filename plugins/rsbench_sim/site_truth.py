"""Per-site ground truth: how strongly each planted site binds, and what it contributes.

Recorded next to ``meta["sites"]`` (one value per site, same order) so explainers are
scored against what the domain's mechanism does with each site, not only where it
was placed: ``site_occupancy`` is the site's occupancy under the domain's binding
model (both strands; :func:`rsbench_sim.binding.occupancy_profile`) and
``site_effect`` the signed change of the activation energy z per unit occupancy of
that site (its TF's effect plus the cooperative gain from bound partners nearby);
the site's contribution to z is their product.
A shift of the mechanism moves these: ``motif_rewiring`` flips signs,
``pwm_perturbation`` scores the same sites with other matrices and
``site_degeneration`` plants sites that do not bind.
"""

from __future__ import annotations

import numpy as np
import torch

from rsbench_sim.config import SimConfig


def cooperative_gain(occ: torch.Tensor, config: SimConfig) -> torch.Tensor:
    """Extra activation energy a bound site of each TF gets from cooperative partners.

    For a pair (a, b) of strength c, a site of a at position p gains
    ``c * sum_{|p - q| <= window} occ_b(q)`` (and symmetrically for b): the derivative
    of the pair's term of z with respect to that site's occupancy.

    Parameters
    ----------
    occ : torch.Tensor, shape (n, m, P)
        Occupancy profile (:func:`rsbench_sim.binding.occupancy_profile`).

    Returns
    -------
    torch.Tensor, shape (n, m, P)
    """
    gain = torch.zeros_like(occ)
    if not config.coop_pairs:
        return gain
    window, n_pos = int(config.coop_window), occ.shape[2]
    # Box sums over |p - q| <= window for every TF at once, from a cumulative sum
    # (O(n m P), where a convolution per pair would cost O(n P window)).
    csum = torch.nn.functional.pad(occ.double().cumsum(dim=2), (1, 0))
    pos = torch.arange(n_pos)
    hi = (pos + window + 1).clamp(max=n_pos)
    lo = (pos - window).clamp(min=0)
    near = (csum[:, :, hi] - csum[:, :, lo]).to(occ.dtype)  # (n, m, P)
    for (a, b), strength in zip(config.coop_pairs, config.coop_strength):
        gain[:, a] += float(strength) * near[:, b]
        gain[:, b] += float(strength) * near[:, a]
    return gain


def site_records(
    occ: torch.Tensor, config: SimConfig, sites: list[list]
) -> tuple[list[list[float]], list[list[float]]]:
    """Occupancy and signed per-occupancy effect of every planted site.

    Parameters
    ----------
    occ : torch.Tensor, shape (n, m, P)
        Occupancy profile of the final sequences under ``config``.
    sites : list of list of Site, length n
        The planting record.

    Returns
    -------
    occupancy, effect : list of list of float, length n
        One value per site, in the order of ``sites``.
    """
    names = list(config.motifs.names)
    index = {name: j for j, name in enumerate(names)}
    effects = torch.as_tensor(np.asarray(config.effects, dtype=np.float32)).view(1, -1, 1)
    per_site = effects + cooperative_gain(occ, config)  # (n, m, P): effect of one bound site
    occ_np, eff_np = occ.numpy(), per_site.numpy()
    occupancy: list[list[float]] = []
    effect: list[list[float]] = []
    for i, row in enumerate(sites):
        occupancy.append([float(occ_np[i, index[s.tf], s.start]) for s in row])
        effect.append([float(eff_np[i, index[s.tf], s.start]) for s in row])
    return occupancy, effect
