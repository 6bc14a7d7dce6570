"""The one training loop every built-in neural model uses.

Design (the DREAM-challenge recipe, made reproducible):

* data live on the device as uint8 codes, (n, L), with their reverse complements
  precomputed by :func:`regshift_bench.api.revcomp` (padding stays right, exactly as
  ``SeqDataset.revcomp``), so a mini-batch is an index into resident tensors and
  one-hot encoding happens on the device;
* AdamW with a one-cycle learning-rate curve (the curve of ``torch.optim.lr_scheduler.
  OneCycleLR``: cosine warm-up over ``pct_start``, cosine decay to ``lr / 25e4``), whose
  horizon is shortened after the first epoch when a wall-clock budget would cut it;
* reverse-complement augmentation: each training example is flipped with p = 0.5;
* early stopping on validation NLL (RC-averaged, the quantity reported), restoring
  the best checkpoint; patience counts at the earliest from the point where the
  one-cycle rate has decayed to half its peak (see :func:`settle_epoch`);
* mixed precision by ``TrainConfig.precision``: ``"auto"`` (default) is bf16 autocast
  on CUDA and fp32 on CPU, ``"bf16"`` / ``"fp32"`` force one (bf16 autocast also runs
  on CPU, which is how its agreement with fp32 is tested); on CPU a fixed seed gives
  the same result bit for bit (seeded torch RNG inside ``fork_rng``, deterministic
  algorithms on).

Prediction averages the two strands and S MC-dropout samples (S thinned networks
shared by every example, :mod:`rsbench_models.mc_dropout`): the mean is the average
of the member means; the variance is the mixture variance, i.e. the average member
variance (aleatoric) plus the variance of member means (epistemic: strand
disagreement plus the dropout posterior's spread).
"""

from __future__ import annotations

import contextlib
import functools
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import torch
from torch import nn

from regshift_bench.api import Budget, FitReport, SeqDataset, revcomp
from regshift_bench.errors import PluginError
from rsbench_models.heads import gaussian_nll, predictive_var
from rsbench_models.mc_dropout import mc_dropout


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation settings shared by every neural model (see module docstring)."""

    epochs: int = 10
    batch_size: int = 128
    lr: float = 3e-3
    weight_decay: float = 0.01
    pct_start: float = 0.25
    patience: int = 4
    rc_augment: bool = True
    var_floor: float = 1e-3
    beta: float = 0.5
    grad_clip: float = 1.0
    eval_batch_size: int = 512
    precision: str = "auto"
    #: Optional transform of each training batch of codes (B, L) -> (B, L) before the
    #: forward pass: a train-stage intervention's augmentation (``Model.fit_augmented``).
    augment: Callable[[torch.Tensor], torch.Tensor] | None = None


@dataclass
class Encoded:
    """A dataset resident on one device.

    Attributes
    ----------
    codes, rc : torch.Tensor, uint8, (n, L)
        Sequences and their reverse complements.
    prior : torch.Tensor, float32, (n, k) or None
        Standardised prior features.
    y : torch.Tensor, float32, (n,) or None
        Standardised targets.
    """

    codes: torch.Tensor
    rc: torch.Tensor
    prior: torch.Tensor | None
    y: torch.Tensor | None

    def __len__(self) -> int:
        return int(self.codes.shape[0])


def encode(
    data: SeqDataset, device: torch.device, prior: np.ndarray | None = None, y: np.ndarray | None = None
) -> Encoded:
    """Move ``data`` (plus standardised prior features / targets) onto ``device``."""
    rc = revcomp(data.seqs, data.lengths)

    def as_t(a: np.ndarray | None) -> torch.Tensor | None:
        return None if a is None else torch.as_tensor(np.ascontiguousarray(a, dtype=np.float32), device=device)

    return Encoded(
        torch.tensor(np.asarray(data.seqs), device=device), torch.as_tensor(rc, device=device), as_t(prior), as_t(y)
    )


_ONEHOT = torch.cat([torch.eye(4), torch.zeros(1, 4)])


def onehot(codes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Codes (B, L) -> one-hot (B, 4, L) float32 and called-base mask (B, 1, L)."""
    table = _ONEHOT.to(codes.device)
    x = table[codes.long()].transpose(1, 2).contiguous()
    return x, (codes < 4).unsqueeze(1).to(x.dtype)


def one_cycle(step: int, total: int, pct_start: float) -> float:
    """``OneCycleLR``'s cosine curve (two phases) as a multiplier of the peak rate."""
    div, final_div = 25.0, 1e4
    end1, end2 = float(pct_start * total) - 1, float(total - 1)
    if step <= end1:
        pct, start, end = step / max(end1, 1e-12), 1 / div, 1.0
    else:
        pct, start, end = min(1.0, (step - end1) / max(end2 - end1, 1e-12)), 1.0, 1 / (div * final_div)
    return end + (start - end) / 2 * (1 + math.cos(math.pi * pct))


@contextlib.contextmanager
def seeded(seed: int, device: torch.device) -> Iterator[None]:
    """Seed torch's global RNGs inside a fork, so callers' RNG state is untouched."""
    devices = [device.index or 0] if device.type == "cuda" else []
    det = torch.are_deterministic_algorithms_enabled()
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        if device.type == "cpu":
            # Cheap on CPU; on CUDA it would need CUBLAS_WORKSPACE_CONFIG and slow kernels.
            torch.use_deterministic_algorithms(True, warn_only=True)
        try:
            yield
        finally:
            torch.use_deterministic_algorithms(det)


#: Accepted values of ``TrainConfig.precision``.
PRECISIONS = ("auto", "bf16", "fp32")


def autocast(device: torch.device, precision: str = "auto") -> contextlib.AbstractContextManager[None]:
    """The autocast context of ``precision`` on ``device`` (see the module docstring).

    Raises
    ------
    PluginError
        On a precision not in :data:`PRECISIONS`.
    """
    if precision not in PRECISIONS:
        raise PluginError(f"precision={precision!r} is not one of {PRECISIONS}; use bf16 (mixed precision) or fp32")
    if precision == "bf16" or (precision == "auto" and device.type == "cuda"):
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()


def _forward(
    net: nn.Module,
    data: Encoded,
    idx: torch.Tensor,
    rc: torch.Tensor | bool,
    device: torch.device,
    precision: str = "auto",
    augment: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    if isinstance(rc, bool):
        codes = data.rc[idx] if rc else data.codes[idx]
    else:
        codes = torch.where(rc.unsqueeze(1), data.rc[idx], data.codes[idx])
    if augment is not None:
        codes = augment(codes)
    prior = None if data.prior is None else data.prior[idx]
    return _forward_rows(net, codes, prior, device, precision)


def _forward_rows(
    net: nn.Module, codes: torch.Tensor, prior: torch.Tensor | None, device: torch.device, precision: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """(mean, logvar) float32 (B,) of codes (B, L) with prior features (B, k) or None."""
    x, mask = onehot(codes)
    with autocast(device, precision):
        mean, logvar = net(x, mask, prior)
    return mean.float(), logvar.float()


@torch.no_grad()
def predict_parts(
    net: nn.Module,
    data: Encoded,
    *,
    floor: float,
    batch_size: int = 512,
    mc_samples: int = 0,
    seed: int = 0,
    rc_average: bool = True,
    precision: str = "auto",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mixture prediction on the standardised scale.

    Parameters
    ----------
    net : torch.nn.Module
    data : Encoded
    floor : float
        Variance floor added to each member's variance.
    batch_size : int
        ``batch_size // mc_samples`` examples per forward pass, each run on both
        strands (``rc_average``) through ``mc_samples`` thinned networks: one pass of
        ``2 * batch_size`` rows, so the strands and MC samples cost one kernel launch.
    mc_samples : int
        S > 0 averages S thinned networks (:mod:`rsbench_models.mc_dropout`); 0 runs
        the deterministic network.
    seed : int
        Seeds the dropout masks.
    rc_average : bool
        Average the forward and reverse-complement strands.
    precision : {"auto", "bf16", "fp32"}
        Autocast of the forward passes (:func:`autocast`).

    Returns
    -------
    mean, aleatoric, epistemic : numpy.ndarray, float64, (n,)
        Average of member means; average member variance; variance of member means.
        Members are the two strands (``rc_average``) times the MC-dropout samples.
    """
    device = data.codes.device
    was_training = net.training
    net.eval()
    samples = max(1, int(mc_samples))
    chunk = max(1, batch_size // samples)
    out: list[torch.Tensor] = []
    members = samples * (2 if rc_average else 1)
    ctx = mc_dropout(net, samples, seed) if mc_samples else contextlib.nullcontext()
    with seeded(seed, device), ctx:
        for idx in torch.arange(len(data), device=device).split(chunk):
            codes = torch.cat([data.codes[idx], data.rc[idx]]) if rc_average else data.codes[idx]
            prior = None if data.prior is None else data.prior[idx].repeat(members // samples, 1)
            # Block s of the rows (both strands) goes through thinned network s.
            codes = codes.repeat(samples, 1)
            prior = None if prior is None else prior.repeat(samples, 1)
            m, lv = _forward_rows(net, codes, prior, device, precision)
            ms = m.view(members, len(idx)).double()
            vs = predictive_var(lv, floor).view(members, len(idx)).double()
            out.append(torch.stack([ms.mean(0), vs.mean(0), ms.var(0, unbiased=False)]))
    net.train(was_training)
    res = torch.cat(out, dim=1).cpu().numpy() if out else np.zeros((3, 0))
    return res[0], res[1], res[2]


def _val_loss(net: nn.Module, val: Encoded, cfg: TrainConfig) -> float:
    mean, alea, epi = predict_parts(
        net, val, floor=cfg.var_floor, batch_size=cfg.eval_batch_size, precision=cfg.precision
    )
    assert val.y is not None
    var = alea + epi
    y = val.y.double().cpu().numpy()
    return float(np.mean(0.5 * (np.log(var) + (y - mean) ** 2 / var)))


def settle_epoch(total: int, steps_per_epoch: int, pct_start: float) -> int:
    """First epoch from which patience counts: the one-cycle rate is down to half its peak.

    Validation loss is noisy and often rises while the rate is high; stopping there
    (measured: 2,000 sim sequences stopped at epoch 10 of 17, r 0.67, where the full
    anneal of 4,000 reached 0.84) would skip the annealing that gives most of the fit.
    The cosine decay passes half the peak midway between ``pct_start`` and the end.
    """
    half = pct_start + (1.0 - pct_start) / 2.0
    return math.ceil(half * total / max(1, steps_per_epoch))


def fit_network(
    net: nn.Module,
    train: Encoded,
    val: Encoded,
    cfg: TrainConfig,
    *,
    seed: int,
    budget: Budget | None = None,
    label: str = "training",
) -> FitReport:
    """Train ``net`` in place and leave it holding its best-validation weights.

    Parameters
    ----------
    net : torch.nn.Module
        Maps ``(x (B,4,L), mask (B,1,L), prior (B,k) | None)`` to ``(mean, logvar)``.
    train, val : Encoded
        Resident data with standardised ``y``; ``val`` may be empty (then the last
        epoch's weights are kept).
    cfg : TrainConfig
    seed : int
        Seeds weight-independent randomness here: batch order, RC flips, dropout.
    budget : Budget, optional
        The plan is :meth:`Budget.schedule` of ``cfg.epochs`` (``max_epochs`` caps,
        ``min_steps`` raises, ``max_steps`` cuts; the one-cycle curve spans the
        planned steps); ``patience`` overrides ``cfg.patience``; ``max_seconds`` stops
        at the first step past it (the one-cycle horizon is shortened after epoch 1
        to fit); ``progress`` shows a transient rich progress bar.

    Returns
    -------
    FitReport
        ``stopped_by`` is ``"epochs"`` when the planned schedule ran to its end,
        ``"early_stopping"`` when validation NLL stopped improving for ``patience``
        epochs (counted from :func:`settle_epoch` at the earliest), and
        ``"max_steps"`` / ``"max_seconds"`` when the budget cut the plan short.
    """
    budget = budget or Budget()
    device = train.codes.device
    n = len(train)
    steps = max(1, n // cfg.batch_size)  # near-equal batches; none of size 1 (BatchNorm)
    epochs, total, cut = _schedule(budget, steps, cfg.epochs)
    patience = budget.patience or cfg.patience
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    gen = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    best, best_loss, best_epoch, step, stopped = None, math.inf, 0, 0, ""
    progress = _progress(budget.progress)
    with seeded(seed, device), progress or contextlib.nullcontext():
        task = progress.add_task(label, total=total) if progress else None
        for epoch in range(1, epochs + 1):
            tick = _ticker(progress, task, f"{label} epoch {epoch}")
            step, stopped = _train_epoch(net, opt, train, cfg, gen, steps, step, total, budget, start, tick)
            if epoch == 1 and budget.max_seconds and not stopped:
                fit_steps = int(budget.max_seconds / ((time.perf_counter() - start) / step))
                if fit_steps < total:
                    total, cut = max(step + 1, fit_steps), "max_seconds"
            loss_v = _val_loss(net, val, cfg) if len(val) else -float(epoch)
            if loss_v < best_loss:
                best_loss, best_epoch = loss_v, epoch
                best = {k: v.detach().clone() for k, v in net.state_dict().items()}
            # A step-level stop (max_seconds) wins over the end-of-epoch reasons.
            stopped = stopped or _stop_reason(epoch, step, total, cut, best_epoch, steps, cfg.pct_start, patience)
            if stopped:
                break
    if best is not None:
        net.load_state_dict(best)
    net.eval()
    return FitReport(
        epoch, step, best_epoch, stopped or "epochs", best_loss if len(val) else None, time.perf_counter() - start
    )


def _train_epoch(
    net: nn.Module,
    opt: torch.optim.Optimizer,
    train: Encoded,
    cfg: TrainConfig,
    gen: torch.Generator,
    steps: int,
    step: int,
    total: int,
    budget: Budget,
    start: float,
    tick: Callable[[], None],
) -> tuple[int, str]:
    """One epoch of optimizer steps, cut short by the step horizon or the clock.

    Parameters
    ----------
    net : torch.nn.Module
    opt : torch.optim.Optimizer
    train : Encoded
        The n training examples, resident on the device.
    cfg : TrainConfig
    gen : torch.Generator
        Draws the epoch's batch order (n,) and reverse-complement flips (n,).
    steps : int
        Mini-batches per epoch (the n examples split into near-equal batches).
    step, total : int
        Optimizer steps taken before this epoch, and the one-cycle horizon.
    budget : Budget
        Its ``max_seconds``, counted from ``start`` (``time.perf_counter()``), stops
        at the first step past it.
    tick : callable
        Called after every step (the progress bar).

    Returns
    -------
    step : int
        Optimizer steps taken, this epoch included.
    stopped : str
        ``"max_seconds"`` when the clock stopped training, else ``""`` (reaching
        ``total`` mid-epoch is left to the caller's end-of-epoch check).
    """
    n, device = len(train), train.codes.device
    net.train()
    perm, flips = _epoch_order(n, gen, cfg.rc_augment, device)
    for chunk in torch.arange(n, device=device).tensor_split(steps):
        idx = perm[chunk]
        rc = flips[chunk] if flips is not None else False
        _train_step(net, opt, train, idx, rc, cfg, cfg.lr * one_cycle(step, total, cfg.pct_start))
        step += 1
        tick()
        if budget.max_seconds and time.perf_counter() - start > budget.max_seconds:
            return step, "max_seconds"
        if step >= total:  # max_steps (or a clock-shortened horizon) ends mid-epoch
            break
    return step, ""


def _ticker(progress: Any, task: Any, description: str) -> Callable[[], None]:
    """Advance the rich progress bar ``progress`` by one step (nothing when it is None)."""
    if progress is None:
        return lambda: None
    return functools.partial(progress.update, task, advance=1, description=description)


def _stop_reason(
    epoch: int, step: int, total: int, cut: str, best_epoch: int, steps: int, pct_start: float, patience: int
) -> str:
    """Why training ends after ``epoch`` ("" to go on).

    ``cut or "epochs"`` when the ``total`` planned steps are taken (``cut`` says why
    the plan ends early, if it does); ``"early_stopping"`` when validation NLL has
    not improved for ``patience`` epochs, counted from :func:`settle_epoch` at the
    earliest.
    """
    if step >= total:
        return cut or "epochs"
    if epoch - max(best_epoch, settle_epoch(total, steps, pct_start)) >= patience:
        return "early_stopping"
    return ""


def _schedule(budget: Budget, steps: int, epochs: int) -> tuple[int, int, str]:
    """(epochs, total steps, why the plan ends early: "max_steps" or "") of a budget."""
    planned_epochs, total = budget.schedule(steps, epochs)
    uncapped = replace(budget, max_steps=None).schedule(steps, epochs)[1]
    return planned_epochs, total, "max_steps" if total < uncapped else ""


def _epoch_order(
    n: int, gen: torch.Generator, rc_augment: bool, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """One epoch's batch order (n,) and reverse-complement flips (n,) bool or None."""
    perm = torch.randperm(n, generator=gen)
    flips = torch.rand(n, generator=gen) < 0.5 if rc_augment else None
    return perm.to(device), None if flips is None else flips.to(device)


def _train_step(
    net: nn.Module,
    opt: torch.optim.Optimizer,
    train: Encoded,
    idx: torch.Tensor,
    rc: torch.Tensor | bool,
    cfg: TrainConfig,
    lr: float,
) -> None:
    """One optimizer step at learning rate ``lr`` on the rows ``idx`` of ``train``."""
    for group in opt.param_groups:
        group["lr"] = lr
    mean, logvar = _forward(net, train, idx, rc, train.codes.device, cfg.precision, cfg.augment)
    assert train.y is not None
    loss = gaussian_nll(mean, logvar, train.y[idx], floor=cfg.var_floor, beta=cfg.beta)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    if cfg.grad_clip:
        nn.utils.clip_grad_norm_(net.parameters(), cfg.grad_clip)
    opt.step()


def _progress(show: bool):  # type: ignore[no-untyped-def]
    if not show:
        return None
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), TimeRemainingColumn(), transient=True)
