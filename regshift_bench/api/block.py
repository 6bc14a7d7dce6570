"""Network blocks for Prix Fixe composition (plugin kind ``block``).

The Random Promoter DREAM Challenge (Rafi et al., Nat Biotechnol 2025) split its best
sequence-to-expression networks into *first layers*, a *core* and *final layers*,
and composed new models from blocks of different teams (the Prix Fixe framework).
A block plugin contributes one such part, for one or more roles::

    @hookimpl
    def rsbench_register_blocks(register):
        register("my_conv", make_my_conv, roles=("first", "core"),
                 summary="two dilated convolutions")

``make_my_conv(role, in_channels, n_prior, **params)`` returns a ``torch.nn.Module``:

* roles ``first`` and ``core``: ``forward(h (B, C, L), mask (B, 1, L))`` returns
  ``(h (B, C', L'), mask (B, 1, L'))`` and the module has an ``out_channels``
  attribute (C'). Padded positions (mask 0) must be exact zeros in the output and
  must not change the called positions' values, so a prediction does not depend on
  how far its batch was padded (the conformance kit checks this);
* role ``final``: ``forward(h, mask, prior (B, n_prior) or None)`` returns
  ``(mean, log_variance)``, each (B,), on the standardised target scale.

The first block receives the one-hot sequence (``in_channels`` = 4). ``params`` are
the keyword parameters the user gives as ``first_params={...}`` etc.; a factory
raises :class:`~regshift_bench.errors.RegshiftError` (one line, naming the fix) for
values it cannot build. Setting ``make_my_conv.block_class`` to the module class lets
the planner refuse a misspelt parameter by name before anything is built (its
``__init__`` parameters other than ``in_channels`` / ``n_prior`` are the block's).
``rsbench check NAME`` composes the block with small built-in partners in each of its
roles and runs the model checks. Torch is needed only by the blocks themselves.
"""

from __future__ import annotations

#: The roles a block may take, in network order.
BLOCK_ROLES: tuple[str, ...] = ("first", "core", "final")
