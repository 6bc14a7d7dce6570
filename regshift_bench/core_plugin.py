"""The core's own plugin: the identity shift ``none``, always present.

It registers :class:`regshift_bench.no_shift.NoShift` lazily, so building the
plugin set (``rsbench list``) does not import numpy or pandas.
"""

from __future__ import annotations

from regshift_bench.api.lazy_factory import lazy
from regshift_bench.hookspecs import Register, hookimpl


@hookimpl
def rsbench_register_shifts(register: Register) -> None:
    register(
        "none",
        lazy(
            "regshift_bench.no_shift:NoShift",
            kind="selection",
            changes_train=False,
            changes_inputs=False,
            default_severities=(0.0,),
        ),
        summary="identity: the in-distribution reference",
    )
