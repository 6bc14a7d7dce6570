"""``transformer``: convolutional stem + transformer encoder with positional encoding.

Architecture (defaults): a convolutional stem, Conv1d(4→d, k=9) + BatchNorm + SiLU and
``stem_blocks`` residual LegNet blocks that each halve the length
(:class:`rsbench_models.blocks.ConvStem`, 230 bp -> 58 tokens); sinusoidal
absolute positions (length-agnostic, so any input length works) added to the tokens;
``layers`` pre-norm encoder layers (``heads`` heads, feed-forward 2d) with padding
tokens masked out of attention; masked mean+max pooling; Gaussian head. With
d = 64, 2 stem blocks, 2 layers: about 124k parameters.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from regshift_bench.api import Prior
from rsbench_models.blocks import ConvStem
from rsbench_models.heads import GaussianHead
from rsbench_models.neural import NeuralModel, masked_pool


def sinusoid(length: int, dim: int, device: torch.device) -> torch.Tensor:
    """Sinusoidal position table (length, dim) (Vaswani et al. 2017)."""
    pos = torch.arange(length, device=device, dtype=torch.float32).unsqueeze(1)
    freq = torch.exp(torch.arange(0, dim, 2, device=device, dtype=torch.float32) * (-math.log(10000.0) / dim))
    table = torch.zeros(length, dim, device=device)
    table[:, 0::2] = torch.sin(pos * freq)
    table[:, 1::2] = torch.cos(pos * freq[: dim // 2])
    return table


class TransformerNet(nn.Module):
    """The network of :class:`Transformer`; ``forward(x (B,4,L), mask (B,1,L), prior)``."""

    def __init__(
        self,
        d_model: int,
        stem_blocks: int,
        kernel_size: int,
        layers: int,
        heads: int,
        dropout: float,
        n_prior: int,
        head_hidden: int,
        position_scale: float,
    ) -> None:
        super().__init__()
        self.stem = ConvStem(d_model, stem_blocks, kernel_size, dropout)
        layer = nn.TransformerEncoderLayer(
            d_model, heads, 2 * d_model, dropout, activation="gelu", batch_first=True, norm_first=True
        )
        # Nested tensors change kernels with the padding pattern; keep one code path.
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        # Learned weight of the position table: starting small keeps the fixed
        # sinusoids from swamping the stem's motif features early in training.
        self.position_scale = nn.Parameter(torch.tensor(float(position_scale)))
        self.head = GaussianHead(2 * d_model, n_prior, head_hidden, dropout)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor, prior: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        h, m = self.stem(x, mask)
        table = sinusoid(h.shape[-1], h.shape[1], h.device)
        tokens = h.transpose(1, 2) + (self.position_scale * table).to(h.dtype)
        pad = m[:, 0] == 0
        pad = pad & ~pad.all(dim=1, keepdim=True)  # an all-N row attends everywhere
        out = self.norm(self.encoder(tokens, src_key_padding_mask=pad))
        return self.head(masked_pool(out.transpose(1, 2), m), prior)


class Transformer(NeuralModel):
    """Conv stem + transformer encoder with a Gaussian head.

    Parameters
    ----------
    d_model : int, default 64
        Width of the stem and of every token.
    stem_blocks : int, default 2
        Residual conv blocks in the stem; each halves the number of tokens.
    kernel_size : int, default 5
        Kernel of the stem's residual blocks.
    layers : int, default 2
    heads : int, default 4
    dropout : float, default 0.1
    head_hidden : int, default 64
    prior, epochs, batch_size, lr, weight_decay, patience, rc_augment, beta, var_floor, mc_dropout
        As for :class:`rsbench_models.cnn.CNN` (default ``lr`` is lower: 2e-3).
    position_scale : float, default 0.1
        Initial value of the learned weight on the sinusoidal position table.

    Notes
    -----
    About 124k parameters at the defaults; attention runs over L/4 tokens.
    """

    def __init__(
        self,
        d_model: int = 64,
        stem_blocks: int = 2,
        kernel_size: int = 5,
        layers: int = 2,
        heads: int = 4,
        dropout: float = 0.1,
        head_hidden: int = 64,
        prior: Prior | str | None = None,
        epochs: int = 10,
        batch_size: int = 128,
        lr: float = 2e-3,
        weight_decay: float = 0.01,
        patience: int = 4,
        rc_augment: bool = True,
        beta: float = 0.5,
        var_floor: float = 1e-3,
        mc_dropout: int = 8,
        position_scale: float = 0.1,
    ) -> None:
        self.d_model, self.layers, self.heads = d_model, layers, heads
        self.stem_blocks, self.kernel_size = stem_blocks, kernel_size
        self.dropout, self.head_hidden, self.prior = dropout, head_hidden, prior
        self.epochs, self.batch_size, self.lr = epochs, batch_size, lr
        self.weight_decay, self.patience, self.rc_augment = weight_decay, patience, rc_augment
        self.beta, self.var_floor, self.mc_dropout = beta, var_floor, mc_dropout
        self.position_scale = position_scale

    def build(self, n_prior: int) -> nn.Module:
        return TransformerNet(
            int(self.d_model),
            int(self.stem_blocks),
            int(self.kernel_size),
            int(self.layers),
            int(self.heads),
            float(self.dropout),
            n_prior,
            int(self.head_hidden),
            float(self.position_scale),
        )
