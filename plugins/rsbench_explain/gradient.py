"""Gradient explainers on a model's differentiable view, computed with Captum.

``grad_x_input``, ``integrated_gradients``, ``deeplift_shap`` and ``gradcam`` need
:meth:`regshift_bench.api.Model.torch_module`; a model without it is reported as
not applicable. Per-base attributions (B, 4, L) are summed over the four bases into
one importance per position (for a one-hot input with a zero reference this is the
value at the observed base); N / padding positions are set to 0.

References (``reference=``) for the methods that take one:

* ``zeros`` — the all-zero input (no base at all);
* ``uniform`` — 0.25 for every base at every called position;
* ``shuffled`` — ``n_refs`` dinucleotide shuffles of each sequence (the choice
  recommended for genomics), attributions averaged over them.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from regshift_bench.api import Explainer, Model, NotApplicable, SeqDataset, onehot
from regshift_bench.errors import PluginError
from rsbench_explain.shuffle import dinuc_shuffle_batch

REFERENCES = ("zeros", "uniform", "shuffled")


@functools.cache
def captum_attr() -> Any:
    """``captum.attr``, imported on first use (it imports matplotlib: over a second
    that every ``rsbench`` command would otherwise pay at plugin load).

    DeepLIFT's rescale rule, (f(x) - f(x')) / (x - x'), holds for any elementwise
    nonlinearity; Captum lists only a few, and falls back to plain gradients for the
    SiLU / GELU the built-in networks use. They are registered here so DeepLIFT is DeepLIFT.
    """
    import captum.attr
    from captum.attr._core import deep_lift

    for act in (nn.SiLU, nn.GELU):
        deep_lift.SUPPORTED_NON_LINEAR.setdefault(act, deep_lift.nonlinear)
    return captum.attr


class GradientExplainer(Explainer):
    """Shared driver: batches, the differentiable view, references, position sums.

    Parameters
    ----------
    batch_size : int
        Sequences per attribution call (methods multiply it by their own factor).
    """

    needs: ClassVar[frozenset[str]] = frozenset({"torch"})
    batch_size: int

    def _attribute(
        self, module: nn.Module, x: torch.Tensor, codes: np.ndarray, rng: np.random.Generator
    ) -> torch.Tensor:
        """Attributions (B, 4, L) or (B, L) for one batch."""
        raise NotImplementedError

    def explain(self, model: Model, data: SeqDataset, *, rng: np.random.Generator, device: str = "cpu") -> np.ndarray:
        reason = self.applicable(model)
        if reason:
            raise NotApplicable(reason)
        module = model.torch_module()
        module = module.to(device).eval()
        n, length = data.seqs.shape
        out = np.zeros((n, length), dtype=np.float64)
        x_all = data.onehot(np.float32)
        step = max(1, int(self.batch_size))
        # cuDNN's RNN kernels refuse a backward pass in eval mode ("cudnn RNN backward
        # can only be called in training mode"): an eval-mode LSTM's gradients need the
        # native kernels. Off only while attributing; no effect on CPU.
        with torch.backends.cudnn.flags(enabled=False):
            for start in range(0, n, step):
                stop = min(n, start + step)
                out[start:stop] = self._batch(module, x_all, data.seqs, start, stop, rng, device)
        out[data.seqs >= 4] = 0.0
        return out

    def _batch(
        self,
        module: nn.Module,
        x_all: np.ndarray,
        codes: np.ndarray,
        start: int,
        stop: int,
        rng: np.random.Generator,
        device: str,
    ) -> np.ndarray:
        """Per-position attributions (stop - start, L) of rows ``start:stop``."""
        length = codes.shape[1]
        x = torch.from_numpy(x_all[start:stop]).to(device)
        with warnings.catch_warnings():  # Captum's notes on hooks and requires_grad
            warnings.filterwarnings("ignore", message=r"(Input Tensor|Setting forward)")
            attr = self._attribute(module, x, codes[start:stop], rng).detach()
        if attr.dim() == 3 and attr.shape[1] == 4:
            attr = attr.sum(dim=1)
        attr = attr.reshape(stop - start, -1)
        if attr.shape[1] != length:
            raise PluginError(f"attribution has {attr.shape[1]} positions, expected {length}", plugin=self.name)
        return attr.double().cpu().numpy()


def references(kind: str, x: torch.Tensor, codes: np.ndarray, rng: np.random.Generator, n_refs: int) -> torch.Tensor:
    """Reference inputs (B, R, 4, L) for inputs ``x`` (B, 4, L) with codes (B, L).

    ``zeros`` and ``uniform`` give R = 1; ``shuffled`` gives R = ``n_refs``.
    """
    if kind == "zeros":
        return torch.zeros_like(x)[:, None]
    if kind == "uniform":
        called = (x.sum(dim=1, keepdim=True) > 0).to(x.dtype)
        return (0.25 * called).expand_as(x).clone()[:, None]
    if kind == "shuffled":
        shuffled = dinuc_shuffle_batch(codes, rng, int(n_refs))  # (B, R, L)
        flat = onehot(shuffled.reshape(-1, codes.shape[1]), np.float32)  # (B R, 4, L)
        return torch.from_numpy(flat).to(x.device).reshape(len(codes), int(n_refs), 4, -1)
    raise PluginError(f"reference={kind!r} is not one of {REFERENCES}")


def _paired(x: torch.Tensor, refs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs repeated once per reference, and the references flattened: (B R, 4, L) each."""
    r = refs.shape[1]
    return x.repeat_interleave(r, dim=0), refs.reshape(-1, *x.shape[1:])


class GradXInput(GradientExplainer):
    """``grad_x_input``: gradient of the predicted mean times the one-hot input."""

    def __init__(self, batch_size: int = 256) -> None:
        self.batch_size = batch_size

    def _attribute(
        self, module: nn.Module, x: torch.Tensor, codes: np.ndarray, rng: np.random.Generator
    ) -> torch.Tensor:
        return captum_attr().InputXGradient(module).attribute(x)


class IntegratedGrads(GradientExplainer):
    """``integrated_gradients``: path integral of gradients from a reference to the input.

    Parameters
    ----------
    reference : {"zeros", "uniform", "shuffled"}, default "zeros"
    n_steps : int, default 32
        Riemann (Gauss-Legendre) steps along the path.
    n_refs : int, default 4
        Shuffled references per sequence (``reference="shuffled"`` only).
    batch_size : int, default 32
    """

    def __init__(self, reference: str = "zeros", n_steps: int = 32, n_refs: int = 4, batch_size: int = 32) -> None:
        self.reference, self.n_steps, self.n_refs = reference, n_steps, n_refs
        self.batch_size = batch_size

    def _attribute(
        self, module: nn.Module, x: torch.Tensor, codes: np.ndarray, rng: np.random.Generator
    ) -> torch.Tensor:
        refs = references(self.reference, x, codes, rng, self.n_refs)
        inputs, base = _paired(x, refs)
        attr = (
            captum_attr()
            .IntegratedGradients(module)
            .attribute(inputs, baselines=base, n_steps=int(self.n_steps), internal_batch_size=max(1, len(inputs)) * 4)
        )
        return attr.reshape(len(x), refs.shape[1], *x.shape[1:]).mean(dim=1)


class DeepLiftShap(GradientExplainer):
    """``deeplift_shap``: DeepLIFT (rescale rule) averaged over references per sequence.

    With ``reference="shuffled"`` (default) each sequence gets its own ``n_refs``
    dinucleotide shuffles — DeepSHAP as used in genomics — computed with Captum's
    ``DeepLift`` on (input, reference) pairs and averaged.

    Parameters
    ----------
    reference : {"shuffled", "zeros", "uniform"}, default "shuffled"
    n_refs : int, default 10
    batch_size : int, default 32
    """

    def __init__(self, reference: str = "shuffled", n_refs: int = 10, batch_size: int = 32) -> None:
        self.reference, self.n_refs, self.batch_size = reference, n_refs, batch_size

    def _attribute(
        self, module: nn.Module, x: torch.Tensor, codes: np.ndarray, rng: np.random.Generator
    ) -> torch.Tensor:
        refs = references(self.reference, x, codes, rng, self.n_refs)
        inputs, base = _paired(x, refs)
        attr = captum_attr().DeepLift(module, multiply_by_inputs=True).attribute(inputs, baselines=base)
        return attr.reshape(len(x), refs.shape[1], *x.shape[1:]).mean(dim=1)


class GradCam(GradientExplainer):
    """``gradcam``: Grad-CAM on the first convolutional block, upsampled to L.

    The layer is the view's ``gradcam_layer`` when it has one, else its first
    ``Conv1d``. Channel weights are the position-averaged gradients; the map is
    their weighted sum of activations, ReLU'd when ``relu`` (the original method).

    Parameters
    ----------
    relu : bool, default True
    batch_size : int, default 256
    """

    def __init__(self, relu: bool = True, batch_size: int = 256) -> None:
        self.relu, self.batch_size = relu, batch_size

    def _attribute(
        self, module: nn.Module, x: torch.Tensor, codes: np.ndarray, rng: np.random.Generator
    ) -> torch.Tensor:
        layer: Any = getattr(module, "gradcam_layer", None) or next(
            (m for m in module.modules() if isinstance(m, nn.Conv1d)), None
        )
        if layer is None:
            raise NotApplicable(f"explainer {self.name!r}: the model's view has no convolutional layer")
        cam = captum_attr().LayerGradCam(module, layer).attribute(x, relu_attributions=bool(self.relu))
        if cam.shape[-1] != x.shape[-1]:
            cam = captum_attr().LayerAttribution.interpolate(cam, (x.shape[-1],), interpolate_mode="linear")
        return cam.reshape(len(x), -1)
