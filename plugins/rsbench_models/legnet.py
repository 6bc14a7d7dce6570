"""``legnet``: LegNet (Penzar et al., Bioinformatics 2023), padding-aware, Gaussian head.

LegNet is an EfficientNetV2-style convolutional network for short regulatory
sequences. Written here from the paper's description and the published
configurations (no code is copied):

* **stem**: Conv1d(4 -> ``stem_channels``, ``stem_kernel``, no bias) + BatchNorm + SiLU;
* **stages**, one per entry of ``block_channels``: an EfficientNet-style block
  (1x1 expansion to ``resize_factor`` x the input width + BN + SiLU; grouped
  convolution of width ``kernel_size`` with ``filter_per_group`` filters per group
  (1 = depthwise) + BN + SiLU; squeeze-and-excitation; 1x1 projection back + BN +
  SiLU) whose output is *concatenated* with its input (LegNet's residual), then a
  LocalBlock Conv1d(2C -> C', ``kernel_size``) + BN + SiLU and a max-pool of
  ``pool_sizes[i]`` (1 = none);
* **mapper**: BatchNorm + Conv1d(C -> 2C, 1), then average pooling over positions;
* **head**: our :class:`~rsbench_models.heads.GaussianHead` (mean and log-variance).

Defaults are the configuration published for human lentiMPRA (MPRA-LegNet,
``autosome-ru/human_legnet``): stem 64 channels, kernel 11; stages 80, 96, 112, 128
with kernel 9, resize factor 4, depthwise convolutions, each followed by a max-pool
of 2; trained with AdamW (weight decay 0.1), a one-cycle rate peaking at 0.01,
batch 1024, 20 epochs, reverse-complement augmentation and strand averaging. The
DREAM 2022 configuration is :data:`DREAM_CONFIG`. Departures are listed in
``docs/architectures.md``. Every layer is padding-aware: padded positions are set
to exact zeros after each normalisation, and the squeeze-excitation and final
pooling average over called bases only, so a prediction does not depend on how far
its batch was padded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from regshift_bench.api import Prior
from regshift_bench.errors import RegshiftError
from rsbench_models.heads import GaussianHead
from rsbench_models.neural import NeuralModel, masked_maxpool

#: The DREAM 2022 (yeast, 150 bp) configuration of the Bioinformatics paper, as
#: parameters of :class:`LegNet` (published stem 256 / kernel 7, stages 128, 128,
#: 64, 64, 64, 64 without pooling, depthwise, SE width from the block input).
DREAM_CONFIG: dict[str, Any] = {
    "stem_channels": 256,
    "stem_kernel": 7,
    "block_channels": [128, 128, 64, 64, 64, 64],
    "kernel_size": 7,
    "resize_factor": 4,
    "filter_per_group": 1,
    "se_width": "input",
    "pool_sizes": [1, 1, 1, 1, 1, 1],
}


def masked_mean(h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over called positions: h (B, C, L), mask (B, 1, L) -> (B, C); 0 for an all-N row."""
    mask = mask.to(h.dtype)
    return (h * mask).sum(-1) / mask.sum(-1).clamp_min(1.0)


class LocalBlock(nn.Module):
    """Conv1d (same padding, no bias) + BatchNorm + SiLU; padded positions set to 0.

    ``forward(h (B, C_in, L), mask (B, 1, L))`` -> (B, C_out, L).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(in_channels, out_channels, kernel, padding="same", bias=False),
            nn.BatchNorm1d(out_channels),
            nn.SiLU(),
        )

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.body(h) * mask


class MaskedSqueezeExcite(nn.Module):
    """Channel gates from the mean over called positions (LegNet's SE layer).

    ``forward(h (B, C, L), mask)`` -> (B, C, L); the hidden width is ``hidden``.
    """

    def __init__(self, channels: int, hidden: int) -> None:
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(channels, hidden), nn.SiLU(), nn.Linear(hidden, channels), nn.Sigmoid())

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return h * self.fc(masked_mean(h, mask)).unsqueeze(-1)


class EffBlock(nn.Module):
    """EfficientNetV2-style inverted bottleneck with squeeze-excitation.

    Parameters
    ----------
    channels : int
        Input and output width C.
    kernel : int
        Width of the grouped convolution.
    resize_factor : int
        The inner width is ``resize_factor * C``.
    filter_per_group : int
        Filters per group of the inner convolution (1 = depthwise).
    se_reduction : int
        SE hidden width is (inner or C, see ``se_width``) // ``se_reduction``.
    se_width : {"inner", "input"}
        What the SE hidden width is computed from: the inner width (MPRA-LegNet) or
        the block's input width (the DREAM configuration).
    """

    def __init__(
        self, channels: int, kernel: int, resize_factor: int, filter_per_group: int, se_reduction: int, se_width: str
    ) -> None:
        super().__init__()
        inner = channels * resize_factor
        self.expand = nn.Sequential(nn.Conv1d(channels, inner, 1, bias=False), nn.BatchNorm1d(inner), nn.SiLU())
        self.spatial = nn.Sequential(
            nn.Conv1d(inner, inner, kernel, groups=inner // filter_per_group, padding="same", bias=False),
            nn.BatchNorm1d(inner),
            nn.SiLU(),
        )
        base = inner if se_width == "inner" else channels
        self.se = MaskedSqueezeExcite(inner, max(1, base // se_reduction))
        self.project = nn.Sequential(nn.Conv1d(inner, channels, 1, bias=False), nn.BatchNorm1d(channels), nn.SiLU())

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        h = self.expand(h) * mask  # zeros at padding before the wide convolution
        h = self.spatial(h) * mask
        return self.project(self.se(h, mask)) * mask


class LegNetStage(nn.Module):
    """Concat(h, EffBlock(h)) -> LocalBlock(2C -> C') -> padding-aware max-pool."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel: int,
        resize_factor: int,
        filter_per_group: int,
        se_reduction: int,
        se_width: str,
        pool: int,
    ) -> None:
        super().__init__()
        self.eff = EffBlock(in_channels, kernel, resize_factor, filter_per_group, se_reduction, se_width)
        self.local = LocalBlock(2 * in_channels, out_channels, kernel)
        self.pool = pool

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.local(torch.cat([h, self.eff(h, mask)], dim=1), mask)
        return masked_maxpool(h, mask, self.pool)


class LegNetCore(nn.Module):
    """The stages of LegNet; ``forward(h (B, C, L), mask)`` -> (h (B, C', L'), mask).

    ``out_channels`` is the last stage's width (the input width with no stages).
    """

    def __init__(
        self,
        in_channels: int,
        block_channels: Sequence[int],
        kernel_size: int,
        resize_factor: int,
        filter_per_group: int,
        se_reduction: int,
        se_width: str,
        pool_sizes: Sequence[int],
    ) -> None:
        super().__init__()
        check_schedule(in_channels, block_channels, kernel_size, resize_factor, filter_per_group, se_width, pool_sizes)
        widths = [in_channels, *block_channels]
        self.stages = nn.ModuleList(
            [
                LegNetStage(
                    widths[i],
                    widths[i + 1],
                    kernel_size,
                    resize_factor,
                    filter_per_group,
                    se_reduction,
                    se_width,
                    int(pool_sizes[i]),
                )
                for i in range(len(block_channels))
            ]
        )
        self.out_channels = widths[-1]

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        for stage in self.stages:
            h, mask = stage(h, mask)
        return h, mask


def check_schedule(
    in_channels: int,
    block_channels: Sequence[int],
    kernel_size: int,
    resize_factor: int,
    filter_per_group: int,
    se_width: str,
    pool_sizes: Sequence[int],
) -> None:
    """Refuse a LegNet schedule that cannot be built, naming the parameter and the fix."""
    if len(pool_sizes) != len(block_channels):
        raise RegshiftError(
            f"pool_sizes has {len(pool_sizes)} entries but block_channels has "
            f"{len(block_channels)}; give one pool size per stage (1 = none)"
        )
    if kernel_size < 1 or kernel_size % 2 == 0:
        raise RegshiftError(f"kernel_size must be a positive odd number, got {kernel_size}")
    if se_width not in ("inner", "input"):
        raise RegshiftError(f"se_width must be 'inner' or 'input', got {se_width!r}")
    for width in [in_channels, *block_channels[:-1]]:
        if (width * resize_factor) % filter_per_group:
            raise RegshiftError(
                f"filter_per_group={filter_per_group} does not divide the inner "
                f"width {width * resize_factor}; use 1 (depthwise) or a divisor"
            )


class LegNetNet(nn.Module):
    """Stem + stages + mapper + Gaussian head; ``forward(x (B,4,L), mask (B,1,L), prior)``."""

    def __init__(self, params: dict[str, Any], n_prior: int) -> None:
        super().__init__()
        stem_channels = int(params["stem_channels"])
        self.stem = nn.Sequential(
            nn.Conv1d(4, stem_channels, int(params["stem_kernel"]), padding="same", bias=False),
            nn.BatchNorm1d(stem_channels),
            nn.SiLU(),
        )
        self.core = LegNetCore(
            stem_channels,
            list(params["block_channels"]),
            int(params["kernel_size"]),
            int(params["resize_factor"]),
            int(params["filter_per_group"]),
            int(params["se_reduction"]),
            str(params["se_width"]),
            list(params["pool_sizes"]),
        )
        width = self.core.out_channels
        self.mapper = nn.Sequential(nn.BatchNorm1d(width), nn.Conv1d(width, 2 * width, 1))
        self.head = GaussianHead(2 * width, n_prior, int(params["head_hidden"]), float(params["dropout"]))

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor, prior: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.stem(x) * mask
        h, m = self.core(h, mask)
        return self.head(masked_mean(self.mapper(h), m), prior)


class LegNet(NeuralModel):
    """LegNet with a Gaussian mean + variance head (MPRA-LegNet configuration by default).

    Parameters
    ----------
    stem_channels : int, default 64
    stem_kernel : int, default 11
    block_channels : list of int, default [80, 96, 112, 128]
        Output width of each stage.
    kernel_size : int, default 9
        Kernel of every stage's grouped and local convolutions.
    resize_factor : int, default 4
        Inner width of the EfficientNet block as a multiple of its input width.
    filter_per_group : int, default 1
        Filters per group in the inner convolution (1 = depthwise).
    se_reduction : int, default 4
    se_width : {"inner", "input"}, default "inner"
        Base of the SE hidden width (see :class:`EffBlock`).
    pool_sizes : list of int, default [2, 2, 2, 2]
        Max-pool after each stage (1 = none).
    head_hidden : int, default 256
        Hidden width of the Gaussian head (MPRA-LegNet's head is 2 x the last width).
    dropout : float, default 0.1
        Dropout in the head (LegNet has none; it is what MC dropout samples).
    prior : Prior, str or None
        Prior features joining the pooled features in the head.
    epochs, batch_size, lr, weight_decay, patience, rc_augment, beta, var_floor, mc_dropout
        The shared trainer's settings (:mod:`rsbench_models.trainer`); defaults are the
        published recipe: 20 epochs, batch 1024, peak rate 0.01, weight decay 0.1.

    Notes
    -----
    About 1.3M parameters at the defaults (``rsbench_models.legnet.count_parameters``);
    ``LegNet(**DREAM_CONFIG)`` builds the DREAM 2022 configuration.
    """

    def __init__(
        self,
        stem_channels: int = 64,
        stem_kernel: int = 11,
        block_channels: list[int] | None = None,
        kernel_size: int = 9,
        resize_factor: int = 4,
        filter_per_group: int = 1,
        se_reduction: int = 4,
        se_width: str = "inner",
        pool_sizes: list[int] | None = None,
        head_hidden: int = 256,
        dropout: float = 0.1,
        prior: Prior | str | None = None,
        epochs: int = 20,
        batch_size: int = 1024,
        lr: float = 0.01,
        weight_decay: float = 0.1,
        patience: int = 4,
        rc_augment: bool = True,
        beta: float = 0.5,
        var_floor: float = 1e-3,
        mc_dropout: int = 8,
    ) -> None:
        self.stem_channels, self.stem_kernel = stem_channels, stem_kernel
        self.block_channels, self.kernel_size = block_channels, kernel_size
        self.resize_factor, self.filter_per_group = resize_factor, filter_per_group
        self.se_reduction, self.se_width, self.pool_sizes = se_reduction, se_width, pool_sizes
        self.head_hidden, self.dropout, self.prior = head_hidden, dropout, prior
        self.epochs, self.batch_size, self.lr = epochs, batch_size, lr
        self.weight_decay, self.patience, self.rc_augment = weight_decay, patience, rc_augment
        self.beta, self.var_floor, self.mc_dropout = beta, var_floor, mc_dropout

    def architecture(self) -> dict[str, Any]:
        """The network's parameters with ``None`` lists resolved to the defaults."""
        params = {
            k: getattr(self, k)
            for k in (
                "stem_channels",
                "stem_kernel",
                "block_channels",
                "kernel_size",
                "resize_factor",
                "filter_per_group",
                "se_reduction",
                "se_width",
                "pool_sizes",
                "head_hidden",
                "dropout",
            )
        }
        if params["block_channels"] is None:
            params["block_channels"] = [80, 96, 112, 128]
        if params["pool_sizes"] is None:
            params["pool_sizes"] = [2] * len(params["block_channels"])
        return params

    @classmethod
    def validate_params(cls, params: dict[str, Any]) -> None:
        """Refuse, before training, a stage schedule that cannot be built (one line)."""
        arch = cls(**{k: v for k, v in params.items() if k in cls._param_names()}).architecture()
        check_schedule(
            int(arch["stem_channels"]),
            list(arch["block_channels"]),
            int(arch["kernel_size"]),
            int(arch["resize_factor"]),
            int(arch["filter_per_group"]),
            str(arch["se_width"]),
            list(arch["pool_sizes"]),
        )

    def build(self, n_prior: int) -> nn.Module:
        return LegNetNet(self.architecture(), n_prior)
