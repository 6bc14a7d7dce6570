"""``TinyCNN``: one convolution, masked pooling and a Gaussian head, in plain PyTorch."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import torch
from torch import nn

from regshift_bench.api import Budget, Model, Prediction, SeqDataset


class _Net(nn.Module):
    """(B, 4, L) one-hot and a (B, L) validity mask -> (B, 2): mean and log-variance."""

    def __init__(self, channels: int, kernel: int) -> None:
        super().__init__()
        self.conv = nn.Conv1d(4, channels, kernel, padding=kernel // 2)
        self.head = nn.Sequential(nn.Linear(2 * channels, channels), nn.ReLU(), nn.Linear(channels, 2))

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.conv(x))  # (B, C, L)
        m = mask[:, None, :].to(h.dtype)  # (B, 1, L)
        # Pool over the real bases only: N padding (all-zero one-hot columns) past
        # `lengths` must not move the prediction, however wide the batch is padded.
        mean = (h * m).sum(-1) / m.sum(-1).clamp_min(1.0)
        peak = h.masked_fill(m == 0, float("-inf")).amax(-1).clamp_min(0.0)
        return self.head(torch.cat([mean, peak], dim=1))


class TinyCNN(Model):
    """A small CNN predicting activity with a per-sequence variance.

    Parameters
    ----------
    channels : int
        Convolution filters.
    kernel : int
        Filter width in bases (odd).
    epochs : int
        Passes over the training data when the budget sets no ``max_epochs``.
    lr : float
        Adam learning rate.
    batch_size : int
        Minibatch size.
    patience : int
        Epochs without validation improvement before stopping early.
    """

    def __init__(
        self,
        channels: int = 32,
        kernel: int = 9,
        epochs: int = 20,
        lr: float = 2e-3,
        batch_size: int = 64,
        patience: int = 3,
    ) -> None:
        # sklearn convention: store the parameters unchanged, do no work here.
        self.channels = channels
        self.kernel = kernel
        self.epochs = epochs
        self.lr = lr
        self.batch_size = batch_size
        self.patience = patience

    # -- data ----------------------------------------------------------------------
    @staticmethod
    def _tensors(data: SeqDataset, dev: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        """One-hot (n, 4, L) float32 and mask (n, L) bool on ``dev``."""
        x = torch.from_numpy(data.onehot(np.float32)).to(dev)  # onehot() returns a new array
        # The dataset's own arrays are read-only (shared between cells): copy before
        # handing them to torch.from_numpy, which wants writable memory.
        lengths = torch.from_numpy(np.array(data.lengths_or_full())).to(dev)
        mask = torch.arange(data.seq_len, device=dev)[None, :] < lengths[:, None]
        return x, mask

    def _loss(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return nn.functional.gaussian_nll_loss(out[:, 0], y, out[:, 1].exp() + 1e-4)

    # -- the Model interface ---------------------------------------------------------
    def fit(
        self,
        train: SeqDataset,
        val: SeqDataset,
        *,
        rng: np.random.Generator,
        device: str = "cpu",
        budget: Budget | None = None,
    ) -> TinyCNN:
        dev = torch.device(device)  # "cpu", "cuda" or "cuda:1": a plain string
        budget = budget or Budget()
        # Everything random comes from `rng`: weight initialisation through a seed drawn
        # from it (fork_rng leaves torch's global generator as it was), batch order
        # through rng.permutation. Same rng, same model, bit for bit on CPU.
        seed = int(rng.integers(2**31))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.net_ = _Net(self.channels, self.kernel).to(dev)
        self.y_mu_ = float(train.y.mean())
        self.y_sd_ = float(train.y.std()) or 1.0
        x, mask = self._tensors(train, dev)
        y = torch.from_numpy((train.y - self.y_mu_) / self.y_sd_).float().to(dev)
        xv, mv = self._tensors(val, dev)
        yv = torch.from_numpy((val.y - self.y_mu_) / self.y_sd_).float().to(dev)

        epochs = self.epochs if budget.max_epochs is None else min(self.epochs, budget.max_epochs)
        max_steps = getattr(budget, "max_steps", None)  # newer Budget fields, when present
        optimizer = torch.optim.Adam(self.net_.parameters(), lr=self.lr)
        start, steps, best, stale = time.perf_counter(), 0, float("inf"), 0
        best_state = {k: v.clone() for k, v in self.net_.state_dict().items()}
        for _ in range(epochs):
            self.net_.train()
            for idx in np.array_split(rng.permutation(len(train)), max(1, len(train) // self.batch_size)):
                batch = torch.from_numpy(idx).to(dev)
                optimizer.zero_grad()
                self._loss(self.net_(x[batch], mask[batch]), y[batch]).backward()
                optimizer.step()
                steps += 1
                if max_steps is not None and steps >= max_steps:
                    break
            self.net_.eval()
            with torch.no_grad():
                val_loss = float(self._loss(self.net_(xv, mv), yv)) if len(val) else 0.0
            if val_loss < best:
                best, stale = val_loss, 0
                best_state = {k: v.clone() for k, v in self.net_.state_dict().items()}
            else:
                stale += 1
            out_of_time = budget.max_seconds is not None and time.perf_counter() - start > budget.max_seconds
            if stale >= self.patience or out_of_time or (max_steps is not None and steps >= max_steps):
                break
        self.net_.load_state_dict(best_state)  # the epoch with the best validation loss
        self.net_.eval()
        return self

    def predict(self, data: SeqDataset, *, device: str = "cpu") -> Prediction:
        dev = torch.device(device)
        self.net_.to(dev)
        x, mask = self._tensors(data, dev)
        outs = []
        with torch.no_grad():
            for i in range(0, len(data), 512):
                outs.append(self.net_(x[i : i + 512], mask[i : i + 512]).cpu().double().numpy())
        out = np.concatenate(outs) if outs else np.zeros((0, 2))
        mean = out[:, 0] * self.y_sd_ + self.y_mu_
        var = (np.exp(out[:, 1]) + 1e-4) * self.y_sd_**2  # total variance, always > 0
        return Prediction(mean=mean, var=var)

    # -- persistence: tensors, arrays and JSON scalars only ------------------------
    def get_state(self) -> dict[str, Any]:
        return {"net": {k: v.cpu() for k, v in self.net_.state_dict().items()}, "y_mu": self.y_mu_, "y_sd": self.y_sd_}

    def set_state(self, state: dict[str, Any]) -> None:
        self.net_ = _Net(self.channels, self.kernel)
        self.net_.load_state_dict(state["net"])
        self.net_.eval()
        self.y_mu_, self.y_sd_ = float(state["y_mu"]), float(state["y_sd"])
