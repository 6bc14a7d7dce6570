"""Gaussian output head and the losses the shared trainer optimises.

Every neural model ends in :class:`GaussianHead`: pooled sequence features (and,
optionally, standardised prior features) -> a mean and a log-variance. Losses work
on the standardised target scale, so one variance floor suits every dataset.
"""

from __future__ import annotations

import torch
from torch import nn

from regshift_bench.errors import PluginError

#: Log-variance is clipped so ``exp`` never overflows in bf16 / early training.
LOGVAR_MIN, LOGVAR_MAX = -9.0, 6.0


class GaussianHead(nn.Module):
    """Mean and log-variance from pooled features.

    Parameters
    ----------
    in_dim : int
        Width of the pooled sequence representation.
    n_prior : int
        Number of prior features concatenated before the hidden layer (0 = none).
    hidden : int
        Width of the hidden layer.
    dropout : float
        Dropout before the output layer (also used by MC dropout).

    Notes
    -----
    ``forward(h, prior)`` takes ``h`` (B, in_dim) and ``prior`` (B, n_prior) or
    ``None`` and returns ``(mean, logvar)``, each (B,).
    """

    def __init__(self, in_dim: int, n_prior: int = 0, hidden: int = 64, dropout: float = 0.1) -> None:
        super().__init__()
        self.n_prior = n_prior
        self.body = nn.Sequential(nn.Linear(in_dim + n_prior, hidden), nn.SiLU(), nn.Dropout(dropout))
        self.out = nn.Linear(hidden, 2)
        # Start near the standardised target's moments: mean 0, variance 1.
        nn.init.zeros_(self.out.bias)
        nn.init.normal_(self.out.weight, std=1e-3)

    def forward(self, h: torch.Tensor, prior: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        if self.n_prior:
            if prior is None:
                raise PluginError(
                    "this head was built with prior features; pass them (the model's prior= was set at fit time)"
                )
            h = torch.cat([h, prior.to(h.dtype)], dim=1)
        out = self.out(self.body(h)).float()
        return out[:, 0], out[:, 1].clamp(LOGVAR_MIN, LOGVAR_MAX)


def predictive_var(logvar: torch.Tensor, floor: float) -> torch.Tensor:
    """Variance with a floor, (B,); the floor keeps the NLL bounded on easy examples."""
    return torch.exp(logvar) + floor


def gaussian_nll(
    mean: torch.Tensor, logvar: torch.Tensor, y: torch.Tensor, *, floor: float = 1e-3, beta: float = 0.0
) -> torch.Tensor:
    """Mean Gaussian negative log-likelihood (constant dropped), optionally β-weighted.

    Parameters
    ----------
    mean, logvar, y : torch.Tensor, shape (B,)
    floor : float
        Added to ``exp(logvar)``.
    beta : float
        β-NLL (Seitzer et al. 2022): each example's NLL is weighted by ``var**beta``
        (detached). 0 is the plain NLL; 0.5 trades calibration for a mean fit closer
        to MSE; 1 gives MSE-like mean gradients.

    Returns
    -------
    torch.Tensor, scalar
    """
    var = predictive_var(logvar.float(), floor)
    nll = 0.5 * (torch.log(var) + (y - mean.float()) ** 2 / var)
    if beta:
        nll = nll * var.detach() ** beta
    return nll.mean()
