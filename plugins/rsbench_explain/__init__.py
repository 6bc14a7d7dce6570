"""Built-in plugin ``rsbench_explain``: attribution methods (explainers).

``ism`` (in-silico mutagenesis, model-agnostic) and, on models with a
differentiable view, ``grad_x_input``, ``integrated_gradients``, ``deeplift_shap``
(dinucleotide-shuffled references) and ``gradcam`` (first convolutional block),
the gradient methods computed with Captum. Scored against planted motif sites
by :mod:`regshift_bench.interpret`.
"""

from __future__ import annotations

from collections.abc import Callable

from regshift_bench import hookimpl
from rsbench_explain.gradient import DeepLiftShap, GradCam, GradXInput, IntegratedGrads
from rsbench_explain.ism import ISM
from rsbench_explain.shuffle import dinuc_shuffle

__all__ = ["DeepLiftShap", "GradCam", "GradXInput", "ISM", "IntegratedGrads", "dinuc_shuffle"]

_EXPLAINERS = {
    "ism": (ISM, "in-silico mutagenesis: every substitution scored by predict_mean (any model)"),
    "grad_x_input": (GradXInput, "gradient x input (Captum) on the differentiable view"),
    "integrated_gradients": (IntegratedGrads, "integrated gradients (Captum); reference= zeros|uniform|shuffled"),
    "deeplift_shap": (DeepLiftShap, "DeepLIFT averaged over dinucleotide-shuffled references (Captum)"),
    "gradcam": (GradCam, "Grad-CAM on the first convolutional block (Captum)"),
}


@hookimpl
def rsbench_register_explainers(register: Callable[..., None]) -> None:
    for name, (cls, summary) in _EXPLAINERS.items():
        register(name, cls, summary=summary)
