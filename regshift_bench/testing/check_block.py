"""Conformance check for Prix Fixe blocks (``rsbench check NAME`` / :func:`check_block`).

A block cannot be fitted alone, so for each role it declares it is composed with
small built-in partners into ``prixfixe`` and the composed model goes through the
model checks (:func:`regshift_bench.testing.model_checks.run_model_checks`): fit and
predict, determinism, batch and order invariance, padding invariance, the budget
and save/load. A failure names the role in which the block was composed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from regshift_bench.plugins import current, get_plugin
from regshift_bench.testing.model_checks import run_model_checks
from regshift_bench.testing.report import CheckReport

#: Small partners (built-in blocks) for each role, so the check is about the block.
PARTNERS: dict[str, tuple[str, dict[str, Any]]] = {
    "first": ("legnet", {"channels": 16, "kernel": 5}),
    "core": ("legnet", {"block_channels": [16], "kernel_size": 5}),
    "final": ("gaussian", {"head_hidden": 16}),
}


def check_block(name: str, *, strict: bool = False, **params: Any) -> CheckReport:
    """Compose block ``name`` (with ``params``) in each of its roles and check the model.

    Parameters
    ----------
    name : str
        A registered block.
    strict : bool
        Raise :class:`~regshift_bench.errors.PluginError` on a failure.
    **params
        The block's own keyword parameters.

    Returns
    -------
    CheckReport
        One set of model checks per role, each check's name prefixed with the role.
    """
    entry = current().registry.get("block", name)
    report = CheckReport("block", name)
    for role in entry.info.get("roles", ()):
        composition: dict[str, Any] = {}
        for other, (partner, partner_params) in PARTNERS.items():
            chosen, chosen_params = (name, params) if other == role else (partner, partner_params)
            composition[other] = chosen
            composition[f"{other}_params"] = dict(chosen_params)

        def make(composition: dict[str, Any] = composition) -> Any:
            return get_plugin("model", "prixfixe", **composition, epochs=2, batch_size=16)

        sub = CheckReport("model", f"prixfixe({role}={name!r})")
        run_model_checks(f"block {name} as {role}", make, sub)
        report.results.extend(replace(r, check=f"{role}:{r.check}") for r in sub.results)
    if strict:
        report.raise_if_failed()
    return report
