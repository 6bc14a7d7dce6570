"""``bilstm``: convolutional stem + bidirectional LSTM (the DREAM-RNN family).

Architecture (defaults): a convolutional stem, Conv1d(4→C, k=9) + BatchNorm + SiLU and
``stem_blocks`` residual LegNet blocks that each halve the length
(:class:`rsbench_models.blocks.ConvStem`, 230 bp -> 58 positions); a one-layer
bidirectional LSTM of ``hidden`` units per direction over those positions (padding is
packed away); masked mean+max pooling; Gaussian head. With C = 64, 2 stem blocks,
hidden = 64: about 131k parameters.
"""

from __future__ import annotations

import torch
from torch import nn

from regshift_bench.api import Prior
from rsbench_models.blocks import ConvStem
from rsbench_models.heads import GaussianHead
from rsbench_models.neural import NeuralModel, masked_pool


class BiLSTMNet(nn.Module):
    """The network of :class:`BiLSTM`; ``forward(x (B,4,L), mask (B,1,L), prior)``."""

    def __init__(
        self,
        channels: int,
        stem_blocks: int,
        kernel_size: int,
        hidden: int,
        layers: int,
        dropout: float,
        n_prior: int,
        head_hidden: int,
    ) -> None:
        super().__init__()
        self.stem = ConvStem(channels, stem_blocks, kernel_size, dropout)
        self.drop = nn.Dropout(dropout)
        self.lstm = nn.LSTM(
            channels,
            hidden,
            num_layers=layers,
            batch_first=True,
            bidirectional=True,
            dropout=dropout if layers > 1 else 0.0,
        )
        self.head = GaussianHead(4 * hidden, n_prior, head_hidden, dropout)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor, prior: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        h, m = self.stem(x, mask)
        # The LSTM runs in float32 even under CUDA autocast (cuDNN RNNs and bf16 mix badly).
        seq = self.drop(h).transpose(1, 2).float()
        lengths = m[:, 0].sum(1)
        with torch.autocast(h.device.type, enabled=False):
            out = self._run_lstm(seq, lengths, m.shape[-1])
        return self.head(masked_pool(out.transpose(1, 2), m), prior)

    def _run_lstm(self, seq: torch.Tensor, lengths: torch.Tensor, width: int) -> torch.Tensor:
        if bool((lengths < width).any()):
            # Padded rows: pack so the backward direction starts at each row's last base.
            packed = nn.utils.rnn.pack_padded_sequence(
                seq, lengths.clamp_min(1).long().cpu(), batch_first=True, enforce_sorted=False
            )
            out, _ = self.lstm(packed)
            out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=seq.shape[1])
        else:
            out, _ = self.lstm(seq)
        return out


class BiLSTM(NeuralModel):
    """Conv stem + bidirectional LSTM with a Gaussian head.

    Parameters
    ----------
    channels : int, default 64
        Stem convolution width.
    stem_blocks : int, default 2
        Residual conv blocks in the stem; each halves the length the LSTM runs over.
    kernel_size : int, default 5
        Kernel of the stem's residual blocks.
    hidden : int, default 64
        LSTM units per direction.
    layers : int, default 1
    dropout : float, default 0.1
    head_hidden : int, default 64
    prior, epochs, batch_size, lr, weight_decay, patience, rc_augment, beta, var_floor, mc_dropout
        As for :class:`rsbench_models.cnn.CNN`.

    Notes
    -----
    About 131k parameters at the defaults; the LSTM runs over L/4 positions.
    """

    def __init__(
        self,
        channels: int = 64,
        stem_blocks: int = 2,
        kernel_size: int = 5,
        hidden: int = 64,
        layers: int = 1,
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
    ) -> None:
        self.channels, self.hidden, self.layers = channels, hidden, layers
        self.stem_blocks, self.kernel_size = stem_blocks, kernel_size
        self.dropout, self.head_hidden, self.prior = dropout, head_hidden, prior
        self.epochs, self.batch_size, self.lr = epochs, batch_size, lr
        self.weight_decay, self.patience, self.rc_augment = weight_decay, patience, rc_augment
        self.beta, self.var_floor, self.mc_dropout = beta, var_floor, mc_dropout

    def build(self, n_prior: int) -> nn.Module:
        return BiLSTMNet(
            int(self.channels),
            int(self.stem_blocks),
            int(self.kernel_size),
            int(self.hidden),
            int(self.layers),
            float(self.dropout),
            n_prior,
            int(self.head_hidden),
        )
