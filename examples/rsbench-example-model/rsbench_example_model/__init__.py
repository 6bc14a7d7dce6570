"""An out-of-tree model plugin for regshift-bench: a small PyTorch CNN.

Registers ``example_cnn``. Install it (``pip install ./examples/rsbench-example-model``)
and it appears in ``rsbench plugins`` and ``rsbench list models``, passes
``rsbench check example_cnn`` and joins ``rsbench run``. Everything a model needs
from the harness is used here once: the read-only :class:`SeqDataset` (codes,
``onehot()``, N padding with ``lengths``), the NumPy ``rng``, the ``device`` string,
the :class:`Budget` and ``get_state``/``set_state``.
"""

from __future__ import annotations

from regshift_bench import hookimpl
from rsbench_example_model.model import TinyCNN

__all__ = ["TinyCNN", "rsbench_register_models"]


@hookimpl
def rsbench_register_models(register):
    """Register the model under the name ``rsbench run --model`` and results use."""
    register("example_cnn", TinyCNN, summary="small PyTorch CNN with a Gaussian head (example plugin)")
