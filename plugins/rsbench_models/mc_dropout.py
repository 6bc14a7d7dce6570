"""Monte-Carlo dropout with masks that depend on nothing but the example's own positions.

MC dropout (Gal & Ghahramani 2016) keeps dropout on at prediction and reads the
spread of S stochastic forward passes as epistemic variance. Plain ``nn.Dropout`` in
train mode draws fresh masks per batch row, which would make an example's prediction
depend on its batch, its position in the batch and the padded width of the batch
(breaking the conformance checks and strand symmetry). Here sample ``s`` is one
thinned network used for *every* example: each ``nn.Dropout`` multiplies its input by
a keep-mask that is a counter-based hash of (seed, layer, sample, feature indices).
Consequences:

* a prediction is independent of batch size, order and padding width (a position's
  mask value does not depend on the tensor's length);
* both strands see the same S thinned networks, so the strand average stays exactly
  symmetric under reverse complement;
* per example, the masks are still Bernoulli(1 - p) across samples, i.e. ordinary MC
  dropout;
* the S samples run as one batch (the mini-batch repeated S times).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from torch import nn

_M31 = (1 << 31) - 1
_P = 16777619  # FNV prime: small enough that h * _P stays within int64


def _mix(x: torch.Tensor) -> torch.Tensor:
    """A 31-bit integer hash (Mueller's hash32 constants), elementwise on int64."""
    x = (((x >> 16) ^ x) * 0x45D9F3B) & _M31
    x = (((x >> 16) ^ x) * 0x45D9F3B) & _M31
    return (x >> 16) ^ x


def keep_masks(
    seed: int, layer: int, samples: int, shape: tuple[int, ...], p: float, device: torch.device
) -> torch.Tensor:
    """Scaled keep-masks, float32 of shape (samples, 1, *shape).

    Entry ``[s, 0, i, j, ...]`` is ``1/(1-p)`` or 0 and depends only on
    (seed, layer, s, i, j, ...), never on the sizes in ``shape``.
    """
    h = _mix(torch.tensor((seed & _M31) * 7 + layer, dtype=torch.int64))
    h = _mix((h * _P + torch.arange(samples, dtype=torch.int64)) & _M31)
    h = h.view(samples, 1, *([1] * len(shape)))
    for dim, size in enumerate(shape):
        view = [1, 1] + [1] * len(shape)
        view[2 + dim] = size
        h = _mix((h * _P + torch.arange(size, dtype=torch.int64).view(view)) & _M31)
    keep = h.to(torch.float64) / float(1 << 31) >= p
    return (keep.to(torch.float32) / (1.0 - p)).to(device)


@contextlib.contextmanager
def mc_dropout(net: nn.Module, samples: int, seed: int) -> Iterator[None]:
    """While active, ``net`` (in eval mode) runs ``samples`` thinned copies per call.

    The caller passes each mini-batch repeated ``samples`` times along dim 0
    (``idx.repeat(samples)``); row block ``s`` then goes through thinned network
    ``s``. Dropout layers with p = 0 are left alone.

    Notes
    -----
    ``nn.TransformerEncoderLayer`` skips its dropout modules on its fused inference
    path; its ``training`` flag (not its children's) is set for the duration so the
    modules run. Attention-weight dropout (inside ``MultiheadAttention``) stays off.
    """
    handles = []
    layers = [m for m in net.modules() if isinstance(m, nn.TransformerEncoderLayer)]
    flags = [m.training for m in layers]
    cache: dict[tuple[int, tuple[int, ...]], torch.Tensor] = {}
    dropouts = [m for m in net.modules() if isinstance(m, nn.Dropout) and m.p > 0]
    for k, module in enumerate(dropouts):

        def hook(mod: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor, k: int = k) -> torch.Tensor:
            x = inputs[0]
            shape = tuple(x.shape[1:])
            if (k, shape) not in cache:
                cache[(k, shape)] = keep_masks(seed, k, samples, shape, float(mod.p), x.device)
            rows = x.shape[0] // samples
            out = x.reshape(samples, rows, *shape) * cache[(k, shape)].to(x.dtype)
            return out.reshape(x.shape)

        handles.append(module.register_forward_hook(hook))
    try:
        for m in layers:
            m.training = True
        yield
    finally:
        for m, flag in zip(layers, flags):
            m.training = flag
        for h in handles:
            h.remove()
