"""Shared base of the built-in neural models: scaling, priors, state, prediction.

A subclass only says how to build its network (:meth:`NeuralModel.build`); fitting,
prediction, reverse-complement averaging, MC dropout and persistence live here and
in :mod:`rsbench_models.trainer`, so every architecture is trained the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import torch
from torch import nn

import regshift_bench
from regshift_bench.api import Budget, Model, Prediction, Prior, SeqDataset
from regshift_bench.errors import DataError, PluginError
from rsbench_models import trainer


class NeuralModel(Model):
    """Base class: a torch network with a Gaussian head trained by the shared trainer.

    Subclasses store their own parameters plus the trainer's (``epochs``,
    ``batch_size``, ``lr``, ``weight_decay``, ``patience``, ``rc_augment``, ``beta``,
    ``var_floor``, ``mc_dropout``) and ``prior`` (a :class:`Prior`, a registered prior name,
    or ``None``), and implement :meth:`build`.

    Targets are standardised with the training mean and standard deviation (kept in
    the state) and predictions are mapped back, so one set of defaults (variance
    floor, learning rate) suits every assay's units.

    After ``fit``, ``fit_report_`` holds the :class:`~regshift_bench.api.FitReport`
    (epochs, optimizer steps, best epoch, why training stopped, best validation NLL).
    ``mc_dropout`` (default 8) is the number of MC-dropout samples at prediction: the
    epistemic variance is the spread of the strand-averaged thinned networks
    (:mod:`rsbench_models.mc_dropout`) plus strand disagreement; 0 turns it off
    (then only strand disagreement remains). It is a prediction-time setting.
    """

    prior: Prior | str | None
    epochs: int
    batch_size: int
    lr: float
    weight_decay: float
    patience: int
    rc_augment: bool
    beta: float
    var_floor: float
    mc_dropout: int
    #: Autocast of training and prediction (:data:`trainer.PRECISIONS`): "auto" is bf16
    #: on CUDA and fp32 on CPU. A class default, not a constructor parameter, so it
    #: does not enter cache keys; set it on an instance to force bf16 or fp32.
    precision: str = "auto"

    def build(self, n_prior: int) -> nn.Module:
        """A fresh network taking ``(x (B,4,L), mask (B,1,L), prior (B,n_prior)|None)``."""
        raise NotImplementedError

    # -- helpers ------------------------------------------------------------------------
    def _train_config(self) -> trainer.TrainConfig:
        return trainer.TrainConfig(
            epochs=int(self.epochs),
            batch_size=int(self.batch_size),
            lr=float(self.lr),
            weight_decay=float(self.weight_decay),
            patience=int(self.patience),
            rc_augment=bool(self.rc_augment),
            beta=float(self.beta),
            var_floor=float(self.var_floor),
            precision=str(self.precision),
        )

    def _resolve_prior(self) -> Prior | None:
        if self.prior is None or isinstance(self.prior, Prior):
            return self.prior
        if isinstance(self.prior, str):
            return regshift_bench.get_plugin("prior", self.prior)
        raise PluginError(
            f"prior must be a Prior, a registered prior name or None, got {type(self.prior).__name__}",
            plugin=self.name or None,
        )

    def _prior_features(self, data: SeqDataset) -> np.ndarray | None:
        if self.prior_ is None:
            return None
        feats = np.asarray(self.prior_.features(data), dtype=np.float64)
        if feats.shape != (len(data), self.prior_mu_.shape[0]):
            raise PluginError(
                f"prior features have shape {feats.shape}, expected ({len(data)}, {self.prior_mu_.shape[0]})",
                plugin=self.name,
            )
        return ((feats - self.prior_mu_) / self.prior_sd_).astype(np.float32)

    def _check_fitted(self) -> None:
        if not hasattr(self, "net_"):
            raise PluginError(
                "predict called before fit or load; fit the model first", plugin=self.name or type(self).__name__
            )

    # -- Model API ------------------------------------------------------------------------
    def fit(
        self,
        train: SeqDataset,
        val: SeqDataset,
        *,
        rng: np.random.Generator,
        device: str = "cpu",
        budget: Budget | None = None,
    ) -> NeuralModel:
        return self._fit(train, val, rng=rng, device=device, budget=budget)

    def fit_augmented(
        self,
        train: SeqDataset,
        val: SeqDataset,
        *,
        augment: Callable[[np.ndarray, np.random.Generator], np.ndarray],
        finetune_epochs: int,
        rng: np.random.Generator,
        device: str = "cpu",
        budget: Budget | None = None,
    ) -> NeuralModel:
        """Train on batches passed through ``augment``, then fine-tune on the unperturbed data.

        The fine-tuning runs ``finetune_epochs`` epochs at a tenth of the learning rate
        (EvoAug's recipe), from the augmented fit's best weights, still early-stopped on
        validation; ``fit_report_`` counts both phases.
        """
        aug_rng = np.random.default_rng(rng.integers(0, 2**63 - 1))

        def on_batch(codes: torch.Tensor) -> torch.Tensor:
            out = augment(codes.cpu().numpy(), aug_rng)
            return torch.as_tensor(np.ascontiguousarray(out, dtype=np.uint8), device=codes.device)

        self._fit(train, val, rng=rng, device=device, budget=budget, augment=on_batch)
        first = self.fit_report_
        if finetune_epochs > 0:
            cfg = replace(self._train_config(), epochs=int(finetune_epochs), lr=float(self.lr) / 10)
            tune = Budget(max_epochs=int(finetune_epochs), max_seconds=budget.max_seconds if budget else None)
            second = trainer.fit_network(
                self.net_, *self._encoded_, cfg, seed=self.seed_, budget=tune, label=f"{self.name} fine-tuning"
            )
            self.fit_report_ = replace(
                first,
                epochs_run=first.epochs_run + second.epochs_run,
                train_steps=first.train_steps + second.train_steps,
                best_val_loss=second.best_val_loss,
            )
        del self._encoded_
        return self

    def _fit(
        self,
        train: SeqDataset,
        val: SeqDataset,
        *,
        rng: np.random.Generator,
        device: str,
        budget: Budget | None,
        augment: Callable[[torch.Tensor], torch.Tensor] | None = None,
    ) -> NeuralModel:
        if len(train) < 2:
            raise DataError(f"{type(self).__name__}.fit: need at least 2 training sequences, got {len(train)}")
        dev = torch.device(device)
        seeds = rng.integers(0, 2**31 - 1, size=3)
        self.seed_ = int(seeds[2])
        y = train.y.astype(np.float64)
        self.y_mu_, self.y_sd_ = float(y.mean()), float(y.std() or 1.0)
        self.prior_ = self._resolve_prior()
        n_prior = 0
        if self.prior_ is not None:
            self.prior_.fit(train)
            feats = np.asarray(self.prior_.features(train), dtype=np.float64)
            n_prior = feats.shape[1]
            self.prior_mu_ = feats.mean(axis=0)
            self.prior_sd_ = np.where(feats.std(axis=0) > 1e-8, feats.std(axis=0), 1.0)
        with trainer.seeded(int(seeds[0]), dev):
            self.net_ = self.build(n_prior).to(dev)
        scale = lambda d: ((d.y - self.y_mu_) / self.y_sd_).astype(np.float32)  # noqa: E731
        tr = trainer.encode(train, dev, self._prior_features(train), scale(train))
        va = trainer.encode(val, dev, self._prior_features(val) if len(val) else None, scale(val))
        cfg = self._train_config()
        if augment is not None:
            cfg = replace(cfg, augment=augment)
            self._encoded_ = (tr, va)  # fit_augmented fine-tunes on the same tensors
        self.fit_report_ = trainer.fit_network(
            self.net_, tr, va, cfg, seed=int(seeds[1]), budget=budget, label=self.name or type(self).__name__
        )
        return self

    def predict(self, data: SeqDataset, *, device: str = "cpu") -> Prediction:
        self._check_fitted()
        dev = torch.device(device)
        self.net_.to(dev)
        enc = trainer.encode(data, dev, self._prior_features(data))
        mean, alea, epi = trainer.predict_parts(
            self.net_,
            enc,
            floor=float(self.var_floor),
            mc_samples=int(self.mc_dropout),
            seed=self.seed_,
            precision=str(self.precision),
        )
        s2 = self.y_sd_**2
        return Prediction(mean * self.y_sd_ + self.y_mu_, (alea + epi) * s2, alea * s2, epi * s2)

    def predict_mean(self, data: SeqDataset, *, device: str = "cpu") -> np.ndarray:
        """Strand-averaged mean of the deterministic (eval-mode) network: (len(data),).

        No MC-dropout masks: two forward passes per input instead of
        ``2 * mc_dropout``, and the same value on every call (what explainers need).
        """
        self._check_fitted()
        dev = torch.device(device)
        self.net_.to(dev)
        enc = trainer.encode(data, dev, self._prior_features(data))
        mean, _, _ = trainer.predict_parts(
            self.net_, enc, floor=float(self.var_floor), mc_samples=0, seed=self.seed_, precision=str(self.precision)
        )
        return mean * self.y_sd_ + self.y_mu_

    def torch_module(self) -> nn.Module | None:
        """The differentiable view for gradient explainers (see :class:`MeanView`).

        None before fitting and for prior-augmented variants, whose prior features
        are not a differentiable function of the one-hot input.
        """
        if not hasattr(self, "net_") or self.prior_ is not None:
            return None
        return MeanView(self.net_, self.y_mu_, self.y_sd_).eval()

    # -- persistence -------------------------------------------------------------------
    def get_state(self) -> dict[str, Any]:
        self._check_fitted()
        state: dict[str, Any] = {
            "net": {k: v.detach().cpu() for k, v in self.net_.state_dict().items()},
            "y_mu": self.y_mu_,
            "y_sd": self.y_sd_,
            "seed": self.seed_,
            "n_prior": 0,
        }
        if self.prior_ is not None:
            state.update(n_prior=int(self.prior_mu_.shape[0]), prior_mu=self.prior_mu_, prior_sd=self.prior_sd_)
            if hasattr(self.prior_, "get_state"):
                state["prior_state"] = self.prior_.get_state()
        return state

    def set_state(self, state: dict[str, Any]) -> None:
        self.y_mu_, self.y_sd_ = float(state["y_mu"]), float(state["y_sd"])
        self.seed_ = int(state["seed"])
        n_prior = int(state["n_prior"])
        self.prior_ = self._resolve_prior() if n_prior else None
        if n_prior:
            if self.prior_ is None:
                raise PluginError(
                    "saved model used prior features; construct it with the same prior= before load",
                    plugin=self.name or None,
                )
            self.prior_mu_ = np.asarray(state["prior_mu"], dtype=np.float64)
            self.prior_sd_ = np.asarray(state["prior_sd"], dtype=np.float64)
            if "prior_state" in state and hasattr(self.prior_, "set_state"):
                self.prior_.set_state(state["prior_state"])
        self.net_ = self.build(n_prior)
        self.net_.load_state_dict(state["net"])
        self.net_.eval()


def masked_maxpool(h: torch.Tensor, mask: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Max-pool (kernel = stride = ``k``, ceil mode) that ignores padding.

    Parameters
    ----------
    h : torch.Tensor, (B, C, L)
    mask : torch.Tensor, (B, 1, L), 1 at called bases

    Returns
    -------
    h, mask : (B, C, ceil(L/k)), (B, 1, ceil(L/k))
        Padded positions are exactly 0, so a sequence gives the same output however far
        its batch is padded (a window mixing bases and padding sees only the bases).
    """
    if k <= 1:
        return h * mask.to(h.dtype), mask
    fill = torch.finfo(h.dtype).min
    pooled = nn.functional.max_pool1d(h.masked_fill(mask == 0, fill), k, ceil_mode=True)
    m = nn.functional.max_pool1d(mask, k, ceil_mode=True)
    return pooled.masked_fill(m == 0, 0.0), m


def masked_pool(h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean and max over called positions: (B, C, L'), mask (B, 1, L) -> (B, 2C).

    The mask is max-pooled down to L' so padding (N) never dilutes the mean, which
    keeps a sequence's prediction independent of how far its batch was padded.
    """
    if mask.shape[-1] != h.shape[-1]:
        mask = nn.functional.adaptive_max_pool1d(mask, h.shape[-1])
    mask = mask.to(h.dtype)
    denom = mask.sum(-1).clamp_min(1.0)
    mean = (h * mask).sum(-1) / denom
    mx = h.masked_fill(mask == 0, torch.finfo(h.dtype).min).amax(-1)
    mx = torch.where(mask.sum(-1) > 0, mx, torch.zeros_like(mx))  # all-N row: no max
    return torch.cat([mean, mx], dim=1)


def n_params(net: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in net.parameters() if p.requires_grad)


class MeanView(nn.Module):
    """One-hot (B, 4, L) -> predicted mean (B,) on the data's scale, forward strand only.

    ``predict`` averages both strands; the view does not, because attribution methods
    that hook layers (DeepLIFT, GradCAM) need every layer to run once per forward.
    All-zero columns (N, padding) are masked exactly as in ``predict``. The network
    is shared with the model, not copied. ``gradcam_layer`` is the first convolutional
    block (conv + norm + activation on the one-hot input).
    """

    def __init__(self, net: nn.Module, y_mu: float, y_sd: float) -> None:
        super().__init__()
        self.net, self.y_mu, self.y_sd = net, float(y_mu), float(y_sd)
        first = next(
            (
                m
                for m in net.modules()
                if isinstance(m, nn.Sequential) and len(m) and isinstance(m[0], nn.Conv1d) and m[0].in_channels == 4
            ),
            None,
        )
        object.__setattr__(self, "gradcam_layer", first)  # a reference, not a second child

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mask = (x.detach().sum(dim=1, keepdim=True) > 0).to(x.dtype)
        mean, _ = self.net(x, mask)
        return mean * self.y_sd + self.y_mu
