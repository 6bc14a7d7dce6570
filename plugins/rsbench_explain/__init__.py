"""Built-in plugin ``rsbench_explain``: attribution methods (explainers).

``ism`` (in-silico mutagenesis, model-agnostic) and, on models with a
differentiable view, ``grad_x_input``, ``integrated_gradients``, ``deeplift_shap``
(dinucleotide-shuffled references) and ``gradcam`` (first convolutional block),
the gradient methods computed with Captum. Scored against planted motif sites
by :mod:`regshift_bench.interpret`.

The explainers are registered as :func:`~regshift_bench.api.lazy` factories, so
loading the plugin imports neither torch nor Captum.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from regshift_bench import hookimpl
from regshift_bench.api.lazy_factory import lazy

if TYPE_CHECKING:
    from rsbench_explain.gradient import DeepLiftShap, GradCam, GradXInput, IntegratedGrads
    from rsbench_explain.ism import ISM
    from rsbench_explain.shuffle import dinuc_shuffle

__all__ = ["DeepLiftShap", "GradCam", "GradXInput", "ISM", "IntegratedGrads", "dinuc_shuffle"]

_EXPORTS = {
    "DeepLiftShap": "gradient",
    "GradCam": "gradient",
    "GradXInput": "gradient",
    "IntegratedGrads": "gradient",
    "ISM": "ism",
    "dinuc_shuffle": "shuffle",
}

#: Registered name -> (class, what it needs beyond ``predict_mean``, summary).
_EXPLAINERS: dict[str, tuple[str, frozenset[str], str]] = {
    "ism": ("ism:ISM", frozenset(), "in-silico mutagenesis: every substitution scored by predict_mean (any model)"),
    "grad_x_input": (
        "gradient:GradXInput",
        frozenset({"torch"}),
        "gradient x input (Captum) on the differentiable view",
    ),
    "integrated_gradients": (
        "gradient:IntegratedGrads",
        frozenset({"torch"}),
        "integrated gradients (Captum); reference= zeros|uniform|shuffled",
    ),
    "deeplift_shap": (
        "gradient:DeepLiftShap",
        frozenset({"torch"}),
        "DeepLIFT averaged over dinucleotide-shuffled references (Captum)",
    ),
    "gradcam": ("gradient:GradCam", frozenset({"torch"}), "Grad-CAM on the first convolutional block (Captum)"),
}


@hookimpl
def rsbench_register_explainers(register: Callable[..., None]) -> None:
    for name, (target, needs, summary) in _EXPLAINERS.items():
        register(name, lazy(f"rsbench_explain.{target}", needs=needs), summary=summary)


def __getattr__(name: str) -> Any:
    # `from rsbench_explain import ISM` still works; the class loads on first use.
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"rsbench_explain.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
