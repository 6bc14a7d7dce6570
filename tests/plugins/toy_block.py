"""A third-party Prix Fixe block for the tests: one dilated convolution as a core."""

from __future__ import annotations

import torch
from torch import nn

from regshift_bench import hookimpl


class DilatedCore(nn.Module):
    """Conv1d(C -> ``channels``, k=3, dilation 2) + ReLU; padded positions stay 0."""

    def __init__(self, in_channels: int, channels: int = 12) -> None:
        super().__init__()
        self.conv = nn.Conv1d(in_channels, channels, 3, padding=2, dilation=2)
        self.out_channels = channels

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return torch.relu(self.conv(h * mask)) * mask, mask


def make_dilated(role: str, in_channels: int, n_prior: int, **params: object) -> nn.Module:
    return DilatedCore(in_channels, **params)  # type: ignore[arg-type]


make_dilated.block_class = DilatedCore  # type: ignore[attr-defined]  # lets plans check params


@hookimpl
def rsbench_register_blocks(register):
    register("toy_dilated", make_dilated, roles=("core",), summary="one dilated convolution")
