"""Convolutional building blocks shared by the built-in networks.

:class:`ResBlock` (LegNet-style conv + squeeze-excitation with a residual connection,
then a padding-aware max-pool) is the body of ``cnn`` and the stem of ``bilstm`` and
``transformer``: one tested block, so a recurrent or attention layer always sees the
same kind of local motif features a CNN would.
"""

from __future__ import annotations

import torch
from torch import nn

from rsbench_models.neural import masked_maxpool


class SqueezeExcite(nn.Module):
    """Channel re-weighting from the mean activation (LegNet's SE block)."""

    def __init__(self, channels: int, reduction: int = 4) -> None:
        super().__init__()
        self.fc = nn.Sequential(
            nn.Linear(channels, channels // reduction),
            nn.SiLU(),
            nn.Linear(channels // reduction, channels),
            nn.Sigmoid(),
        )

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return h * self.fc(h.mean(-1)).unsqueeze(-1)


class ResBlock(nn.Module):
    """Conv + BN + SiLU + SE with a residual connection, then max-pool.

    ``forward(h (B,C,L), mask (B,1,L))`` returns ``(B,C,ceil(L/pool))`` and its mask.
    """

    def __init__(self, channels: int, kernel: int, dropout: float, pool: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(channels, channels, kernel, padding=kernel // 2),
            nn.BatchNorm1d(channels),
            nn.SiLU(),
            SqueezeExcite(channels),
            nn.Dropout(dropout),
        )
        self.pool = pool

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return masked_maxpool(h + self.body(h), mask, self.pool)


class ConvStem(nn.Module):
    """Conv(4→C, k=stem_kernel) + BN + SiLU, then ``n_blocks`` :class:`ResBlock` s that each halve L.

    ``forward(x (B,4,L), mask (B,1,L))`` returns ``h (B,C,L/2**n_blocks)`` (ceil) and
    its mask; padded positions are exact zeros throughout. ``stem_kernel`` (odd,
    default 9) is the first layer's kernel.
    """

    def __init__(self, channels: int, n_blocks: int, kernel_size: int, dropout: float, stem_kernel: int = 9) -> None:
        super().__init__()
        if stem_kernel < 1 or stem_kernel % 2 == 0:
            raise ValueError(f"stem_kernel must be a positive odd number, got {stem_kernel}")
        self.stem = nn.Sequential(
            nn.Conv1d(4, channels, stem_kernel, padding=stem_kernel // 2), nn.BatchNorm1d(channels), nn.SiLU()
        )
        self.blocks = nn.ModuleList([ResBlock(channels, kernel_size, dropout, 2) for _ in range(n_blocks)])

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.stem(x) * mask  # padding enters the blocks as exact zeros
        for block in self.blocks:
            h, mask = block(h, mask)
        return h, mask
