"""The built-in Prix Fixe blocks (plugin kind ``block``; contract in ``regshift_bench.api.block``).

Written from the descriptions of the DREAM Challenge teams' blocks (Rafi et al.,
Nat Biotechnol 2025; Penzar et al., Bioinformatics 2023), made padding-aware:

* ``legnet`` (first, core): LegNet's stem (Conv k=7, 256 channels + BN + SiLU) and its
  EfficientNet stages (DREAM configuration: 128, 128, 64, 64, 64, 64, kernel 7, no
  pooling) — autosome.org's blocks;
* ``bhi`` (first): two parallel convolutions (k = 9 and 15, 160 channels each,
  concatenated) + ReLU + dropout 0.2 — team BHI's first layers;
* ``bilstm`` (core): a bidirectional LSTM (320 units per direction) then BHI's two
  parallel convolutions (320 channels) + ReLU + dropout 0.5 — BHI's core;
* ``attention`` (core): conformer blocks (feed-forward half steps, multi-head
  self-attention with padding masked out, a depthwise convolution module, k = 15,
  8 heads, 4 blocks) — the attention core of DREAM-Attn (team UnlockDNA);
* ``autosome`` (final): Conv 1x1 to 256 channels, average over called positions,
  Gaussian head — autosome.org's final layers with our mean + variance output;
* ``gaussian`` (final): masked mean + max pooling and the Gaussian head of the
  built-in ``cnn`` / ``bilstm`` / ``transformer``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn

from regshift_bench.errors import RegshiftError
from rsbench_models.heads import GaussianHead
from rsbench_models.legnet import DREAM_CONFIG, LegNetCore, LocalBlock, masked_mean
from rsbench_models.neural import masked_pool


class LegNetStem(nn.Module):
    """LegNet's first layer as a block: LocalBlock(C_in -> ``channels``, ``kernel``)."""

    def __init__(self, in_channels: int, channels: int = 256, kernel: int = 7) -> None:
        super().__init__()
        self.local = LocalBlock(in_channels, channels, kernel)
        self.out_channels = channels

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.local(h * mask, mask), mask


class DualConv(nn.Module):
    """Parallel convolutions of different widths, concatenated; + ReLU + dropout (BHI).

    ``channels`` is split evenly between ``kernels``; output (B, channels, L).
    """

    def __init__(
        self, in_channels: int, channels: int = 320, kernels: Sequence[int] = (9, 15), dropout: float = 0.2
    ) -> None:
        super().__init__()
        if not kernels or channels % len(kernels):
            raise RegshiftError(
                f"channels={channels} must split evenly over kernels "
                f"{list(kernels)}; use a multiple of {len(kernels) or 1}"
            )
        if any(k < 1 or k % 2 == 0 for k in kernels):
            raise RegshiftError(f"kernels must be positive odd numbers, got {list(kernels)}")
        self.convs = nn.ModuleList(
            [nn.Conv1d(in_channels, channels // len(kernels), k, padding=k // 2) for k in kernels]
        )
        self.act, self.drop = nn.ReLU(), nn.Dropout(dropout)
        self.out_channels = channels

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = h * mask
        out = torch.cat([conv(h) for conv in self.convs], dim=1)
        return self.drop(self.act(out)) * mask, mask


class BiLSTMCore(nn.Module):
    """Bidirectional LSTM over positions (padding packed away), then :class:`DualConv`."""

    def __init__(
        self,
        in_channels: int,
        hidden: int = 320,
        channels: int = 320,
        kernels: Sequence[int] = (9, 15),
        dropout_in: float = 0.2,
        dropout_out: float = 0.5,
    ) -> None:
        super().__init__()
        self.drop = nn.Dropout(dropout_in)
        self.lstm = nn.LSTM(in_channels, hidden, batch_first=True, bidirectional=True)
        self.conv = DualConv(2 * hidden, channels, kernels, dropout_out)
        self.out_channels = channels

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        seq = self.drop(h).transpose(1, 2).float()
        lengths = mask[:, 0].sum(1)
        with torch.autocast(h.device.type, enabled=False):  # cuDNN RNNs and bf16 mix badly
            if bool((lengths < seq.shape[1]).any()):
                packed = nn.utils.rnn.pack_padded_sequence(
                    seq, lengths.clamp_min(1).long().cpu(), batch_first=True, enforce_sorted=False
                )
                out, _ = nn.utils.rnn.pad_packed_sequence(
                    self.lstm(packed)[0], batch_first=True, total_length=seq.shape[1]
                )
            else:
                out, _ = self.lstm(seq)
        return self.conv(out.transpose(1, 2).to(h.dtype), mask)


class ConformerBlock(nn.Module):
    """Half feed-forward, self-attention, convolution module, half feed-forward, LayerNorm."""

    def __init__(self, width: int, heads: int, kernel: int, dropout: float) -> None:
        super().__init__()

        def ffn() -> nn.Sequential:
            return nn.Sequential(
                nn.LayerNorm(width),
                nn.Linear(width, 4 * width),
                nn.SiLU(),
                nn.Dropout(dropout),
                nn.Linear(4 * width, width),
                nn.Dropout(dropout),
            )

        self.ff1, self.ff2 = ffn(), ffn()
        self.attn_norm = nn.LayerNorm(width)
        self.attn = nn.MultiheadAttention(width, heads, batch_first=True)
        self.attn_drop = nn.Dropout(dropout)
        self.conv_norm = nn.LayerNorm(width)
        self.pointwise_in = nn.Conv1d(width, 2 * width, 1)
        self.depthwise = nn.Conv1d(width, width, kernel, padding=kernel // 2, groups=width)
        self.conv_bn = nn.BatchNorm1d(width)
        self.pointwise_out = nn.Conv1d(width, width, 1)
        self.conv_drop = nn.Dropout(dropout)
        self.out_norm = nn.LayerNorm(width)

    def forward(self, t: torch.Tensor, pad: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``t`` (B, L, W) tokens, ``pad`` (B, L) True at padding, ``mask`` (B, 1, L)."""
        t = t + 0.5 * self.ff1(t)
        a = self.attn_norm(t)
        t = t + self.attn_drop(self.attn(a, a, a, key_padding_mask=pad, need_weights=False)[0])
        c = self.conv_norm(t).transpose(1, 2) * mask
        c = nn.functional.glu(self.pointwise_in(c), dim=1) * mask
        c = nn.functional.silu(self.conv_bn(self.depthwise(c))) * mask
        t = t + self.conv_drop(self.pointwise_out(c)).transpose(1, 2)
        t = t + 0.5 * self.ff2(t)
        return self.out_norm(t) * mask.transpose(1, 2)


class AttentionCore(nn.Module):
    """Conformer blocks over positions; a 1x1 projection first when the width does not
    divide into ``heads``."""

    def __init__(
        self,
        in_channels: int,
        width: int | None = None,
        heads: int = 8,
        n_blocks: int = 4,
        kernel: int = 15,
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        width = int(width or in_channels)
        if width % heads:
            raise RegshiftError(
                f"attention width {width} is not divisible by heads={heads}; "
                "set core_params={'width': ...} to a multiple of heads"
            )
        self.project = nn.Conv1d(in_channels, width, 1) if width != in_channels else None
        self.blocks = nn.ModuleList([ConformerBlock(width, heads, kernel, dropout) for _ in range(n_blocks)])
        self.out_channels = width

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.project is not None:
            h = self.project(h) * mask
        pad = mask[:, 0] == 0
        pad = pad & ~pad.all(dim=1, keepdim=True)  # an all-N row attends everywhere
        t = h.transpose(1, 2)
        for block in self.blocks:
            t = block(t, pad, mask)
        return t.transpose(1, 2), mask


class AutosomeFinal(nn.Module):
    """Conv 1x1 to ``channels``, mean over called positions, Gaussian head."""

    def __init__(
        self, in_channels: int, n_prior: int, channels: int = 256, head_hidden: int = 64, dropout: float = 0.1
    ) -> None:
        super().__init__()
        self.mapper = nn.Conv1d(in_channels, channels, 1)
        self.head = GaussianHead(channels, n_prior, head_hidden, dropout)

    def forward(
        self, h: torch.Tensor, mask: torch.Tensor, prior: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        return self.head(masked_mean(self.mapper(h), mask), prior)


class GaussianFinal(nn.Module):
    """Masked mean + max pooling and the Gaussian head (as in ``cnn``)."""

    def __init__(self, in_channels: int, n_prior: int, head_hidden: int = 64, dropout: float = 0.1) -> None:
        super().__init__()
        self.head = GaussianHead(2 * in_channels, n_prior, head_hidden, dropout)

    def forward(
        self, h: torch.Tensor, mask: torch.Tensor, prior: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        return self.head(masked_pool(h, mask), prior)


def legnet_block(role: str, in_channels: int, n_prior: int, **params: Any) -> nn.Module:
    """``legnet``: the stem (role first) or the stages (role core), DREAM configuration."""
    arch = {
        k: DREAM_CONFIG[k]
        for k in ("block_channels", "kernel_size", "resize_factor", "filter_per_group", "se_width", "pool_sizes")
    }
    arch["se_reduction"] = 4
    accepted = ["channels", "kernel"] if role == "first" else list(arch)
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise RegshiftError(f"no parameter(s) {unknown} as {role}; its parameters: {', '.join(accepted)}")
    if role == "first":
        return LegNetStem(in_channels, **params)
    arch.update(params)
    if "block_channels" in params and "pool_sizes" not in params:
        arch["pool_sizes"] = [1] * len(arch["block_channels"])
    return LegNetCore(in_channels, **arch)


def _role_only(cls: Callable[..., nn.Module], final: bool = False) -> Callable[..., nn.Module]:
    def factory(role: str, in_channels: int, n_prior: int, **params: Any) -> nn.Module:
        return cls(in_channels, n_prior, **params) if final else cls(in_channels, **params)

    factory.__doc__ = cls.__doc__
    factory.block_class = cls  # type: ignore[attr-defined]  # its parameters, for checks
    return factory


# The role-only blocks, named so the plugin can register them lazily
# (``rsbench_models.prixfixe_blocks:bhi_block``); roles and summaries are declared
# where they are registered (:mod:`rsbench_models`).
bhi_block = _role_only(DualConv)
bilstm_block = _role_only(BiLSTMCore)
attention_block = _role_only(AttentionCore)
autosome_block = _role_only(AutosomeFinal, final=True)
gaussian_block = _role_only(GaussianFinal, final=True)
