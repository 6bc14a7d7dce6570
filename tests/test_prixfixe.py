"""Prix Fixe composition: block plugins, plan-time refusal of misfits, the DREAM models."""

from __future__ import annotations

import numpy as np
import pytest

from regshift_bench import plugins
from regshift_bench.api import Budget
from regshift_bench.errors import RegistryError, RegshiftError
from regshift_bench.plan import check_selection
from regshift_bench.registry import Registry
from regshift_bench.testing import toy_dataset
from rsbench_models.legnet import LegNet
from rsbench_models.neural import n_params
from rsbench_models.prixfixe import DreamAttn, DreamCNN, DreamRNN, PrixFixe

SMALL = {
    "first": "legnet",
    "first_params": {"channels": 16, "kernel": 5},
    "core_params": {"block_channels": [16], "kernel_size": 5},
    "final": "gaussian",
    "final_params": {"head_hidden": 16},
}


def _refusal(model_ref: str) -> str:
    with pytest.raises(RegshiftError) as info:
        check_selection(models=[model_ref])
    message = str(info.value)
    assert "\n" not in message, message
    return message


def test_builtin_blocks_are_listed_with_roles():
    registry = plugins.current().registry
    roles = {e.name: tuple(e.info["roles"]) for e in registry.entries("block")}
    assert roles["legnet"] == ("first", "core")
    assert roles["bhi"] == ("first",) and roles["bilstm"] == ("core",)
    assert roles["attention"] == ("core",)
    assert roles["autosome"] == ("final",) and roles["gaussian"] == ("final",)


def test_unknown_block_is_refused_at_plan_time_in_one_line():
    message = _refusal('prixfixe(first="legnet", core="nope")')
    assert "core='nope'" in message and "unknown block 'nope'" in message


def test_block_in_the_wrong_role_is_refused_naming_its_roles():
    message = _refusal('prixfixe(core="gaussian")')
    assert "serves as final, not core" in message
    assert "attention" in message and "bilstm" in message  # the core blocks it could be


def test_blocks_that_do_not_fit_together_are_refused():
    # 330 channels do not split into the attention core's 8 heads.
    message = _refusal('prixfixe(first="bhi", first_params={"channels": 330}, core="attention")')
    assert "core block 'attention'" in message and "heads=8" in message


def test_unknown_block_parameter_is_refused():
    message = _refusal('prixfixe(core="bilstm", core_params={"hiden": 8})')
    assert "no parameter(s) ['hiden']" in message and "hidden" in message


def test_valid_composition_plans():
    specs, _ = check_selection(models=['prixfixe(first="legnet", core="bilstm", final="gaussian")'])
    assert specs[0].name == "prixfixe"


def test_registry_refuses_a_block_without_roles():
    with pytest.raises(RegistryError, match="roles"):
        Registry().add("block", "someone", "my_block", lambda **kw: None)
    with pytest.raises(RegistryError, match="roles"):
        Registry().add("block", "someone", "my_block", lambda **kw: None, roles=("middle",))


def test_dream_models_carry_the_published_block_choices():
    assert (DreamCNN().first, DreamCNN().core, DreamCNN().final) == ("bhi", "legnet", "autosome")
    assert DreamRNN().core == "bilstm" and DreamRNN().get_params()["core"] == "bilstm"
    assert (DreamAttn().first, DreamAttn().core, DreamAttn().lr) == ("legnet", "attention", 0.001)
    # The defaults are in the signature, so they are part of the cell's parameters.
    assert '"core": "attention"' in DreamAttn().params_json()


def test_dream_models_build_at_the_published_widths():
    # Widths from the challenge's composed models (Rafi et al. 2025): BHI first layers
    # of 320 channels, autosome core ending at 64, BiLSTM of 320 units per direction,
    # LegNet stem of 256 channels before the attention core.
    cnn = DreamCNN().build(0)
    assert cnn.first.out_channels == 320 and cnn.core.out_channels == 64
    rnn = DreamRNN().build(0)
    assert rnn.core.lstm.hidden_size == 320 and rnn.core.out_channels == 320
    attn = DreamAttn().build(0)
    assert attn.first.out_channels == 256 and len(attn.core.blocks) == 4
    assert n_params(cnn) < n_params(rnn) < n_params(attn)


@pytest.mark.parametrize("cls", [PrixFixe, DreamCNN, DreamRNN, DreamAttn, LegNet])
def test_dream_models_stop_at_the_first_step_past_max_seconds(cls, one_torch_thread):
    # 40 sequences at the published batch of 1024 form one step per epoch; a budget
    # that is over before the first step ends must stop training right after it.
    # (LegNet's published batch is 1024 too; the conformance kit's timed check of the
    # same rule is not asserted in the suite, where it would measure the machine.)
    model = cls(epochs=5)
    train, val = toy_dataset(40, 30, 1), toy_dataset(16, 30, 2)
    model.fit(train, val, rng=np.random.default_rng(0), budget=Budget(max_seconds=1e-6))
    report = model.fit_report_
    assert (report.train_steps, report.stopped_by) == (1, "max_seconds")


def test_third_party_block_composes_with_builtin_blocks(one_torch_thread):
    plugins.configure(("plugins.toy_block",))
    registry = plugins.current().registry
    assert registry.get("block", "toy_dilated").owner == "plugins.toy_block"
    check_selection(models=['prixfixe(core="toy_dilated", core_params={"channels": 8})'])
    model = PrixFixe(**{**SMALL, "core": "toy_dilated", "core_params": {"channels": 8}}, epochs=2, batch_size=16)
    train, val, test = toy_dataset(64, 40, 1), toy_dataset(32, 40, 2), toy_dataset(16, 40, 3)
    model.fit(train, val, rng=np.random.default_rng(0), budget=Budget(max_epochs=2))
    assert model.net_.core.__class__.__name__ == "DilatedCore"
    pred = model.predict(test)
    assert np.isfinite(pred.mean).all() and (pred.var > 0).all()
    from regshift_bench.testing.check_block import check_block

    report = check_block("toy_dilated")
    assert report.ok, [f"{r.check}: {r.detail}" for r in report.results if not r.passed]
    assert any(r.check == "core:variable_length_padded" for r in report.results)
