"""``cnn``: a DeepSTARR / DREAM-CNN / LegNet-style convolutional network.

Architecture (defaults): stem Conv1d(4→C, k=9) + BatchNorm + SiLU; ``n_blocks``
residual blocks, each Conv1d(C→C, k) + BatchNorm + SiLU + squeeze-excitation (LegNet)
+ dropout, followed by MaxPool(2); masked mean+max pooling over positions (padding N
is ignored, so any length works); Gaussian head (hidden 64) on the pooled features and
any prior features. With C = 64, k = 5, 4 blocks: about 102k parameters
(see :func:`rsbench_models.neural.n_params`).
"""

from __future__ import annotations

import torch
from torch import nn

from regshift_bench.api import Prior
from rsbench_models.blocks import ConvStem
from rsbench_models.heads import GaussianHead
from rsbench_models.neural import NeuralModel, masked_pool


class CNNNet(ConvStem):
    """The network of :class:`CNN`; ``forward(x (B,4,L), mask (B,1,L), prior)``.

    A :class:`ConvStem` of ``n_blocks`` blocks followed by pooling and the Gaussian head
    (subclassed rather than wrapped so state-dict keys stay ``stem.*``, ``blocks.*``).
    """

    def __init__(
        self,
        channels: int,
        n_blocks: int,
        kernel_size: int,
        dropout: float,
        n_prior: int,
        head_hidden: int,
        stem_kernel: int = 9,
    ) -> None:
        super().__init__(channels, n_blocks, kernel_size, dropout, stem_kernel)
        self.head = GaussianHead(2 * channels, n_prior, head_hidden, dropout)

    def forward(
        self,
        x: torch.Tensor,
        mask: torch.Tensor,  # type: ignore[override]
        prior: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        h, mask = super().forward(x, mask)
        return self.head(masked_pool(h, mask), prior)


class CNN(NeuralModel):
    """Convolutional network (DeepSTARR / DREAM-CNN / LegNet family) with a Gaussian head.

    Parameters
    ----------
    channels : int, default 64
        Width of every convolution.
    n_blocks : int, default 4
        Residual blocks, each halving the length (230 bp -> 15 positions).
    kernel_size : int, default 5
        Kernel of the residual blocks.
    stem_kernel : int, default 9
        Kernel of the first convolution (odd); GradCAM on the first block resolves
        positions at this width.
    dropout : float, default 0.1
        In blocks and head; also what MC dropout samples.
    head_hidden : int, default 64
    prior : Prior, str or None
        Prior whose standardised features join the pooled features in the head.
    epochs, batch_size, lr, weight_decay, patience, rc_augment, beta, var_floor, mc_dropout
        Shared trainer settings (see :mod:`rsbench_models.trainer`); ``beta`` > 0 selects
        β-NLL; ``mc_dropout`` = S (default 8) averages S MC-dropout samples at
        prediction (their spread adds to the epistemic variance; 0 turns it off).

    Notes
    -----
    About 102k parameters at the defaults; about 300 training sequences/s (230 bp) on
    one CPU thread (``benchmarks/bench_training.py``). The defaults (10 epochs, lr 3e-3,
    batch 128, β-NLL with β = 0.5, RC augmentation) are the settings tuned on HepG2
    lentiMPRA (``benchmarks/real_data_models.py``), where they beat a 1-6-mer ridge.
    β = 0.5 fits the mean better than the plain NLL (β = 0) at some cost in calibration.
    """

    def __init__(
        self,
        channels: int = 64,
        n_blocks: int = 4,
        kernel_size: int = 5,
        dropout: float = 0.1,
        head_hidden: int = 64,
        prior: Prior | str | None = None,
        epochs: int = 10,
        batch_size: int = 128,
        lr: float = 3e-3,
        weight_decay: float = 0.01,
        patience: int = 4,
        rc_augment: bool = True,
        beta: float = 0.5,
        var_floor: float = 1e-3,
        mc_dropout: int = 8,
        stem_kernel: int = 9,
    ) -> None:
        self.channels, self.n_blocks, self.kernel_size = channels, n_blocks, kernel_size
        self.stem_kernel = stem_kernel
        self.dropout, self.head_hidden, self.prior = dropout, head_hidden, prior
        self.epochs, self.batch_size, self.lr = epochs, batch_size, lr
        self.weight_decay, self.patience, self.rc_augment = weight_decay, patience, rc_augment
        self.beta, self.var_floor, self.mc_dropout = beta, var_floor, mc_dropout

    def build(self, n_prior: int) -> nn.Module:
        return CNNNet(
            int(self.channels),
            int(self.n_blocks),
            int(self.kernel_size),
            float(self.dropout),
            n_prior,
            int(self.head_hidden),
            int(self.stem_kernel),
        )
