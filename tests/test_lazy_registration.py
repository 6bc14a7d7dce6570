"""Lazy registration: listing imports no heavy library; a lazy entry resolves to the real class.

The built-in plugins register :func:`regshift_bench.api.lazy` factories, so building
the plugin set and ``rsbench list`` stay light (the speed contract is what is
imported, not a wall time). What they declare must be what the classes say: every
listing field and summary is compared with the loaded class here.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from regshift_bench import plugins
from regshift_bench.api import LazyFactory, Model, Shift, lazy
from regshift_bench.api.lazy_factory import declared, is_loaded, resolve, target_of
from regshift_bench.cli.cmd_list import _extra
from regshift_bench.errors import RegistryError
from regshift_bench.kinds import KINDS
from regshift_bench.registry import Registry

#: Never imported by building the plugin set or by `rsbench list` (the speed contract).
HEAVY = ("torch", "matplotlib", "scipy.stats", "sklearn", "captum")
#: Not imported either today; the next largest cost of a listing if it came back.
NUMERIC = ("pandas",)


def _run(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "RSBENCH_DISABLE_PLUGIN_AUTOLOAD": "1", "COLUMNS": "120"}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env, timeout=300
    )


def test_building_the_registry_and_listing_imports_no_heavy_library():
    out = _run(f"""
        import sys
        from regshift_bench import plugins
        from regshift_bench.cli.main import app

        registry = plugins.current().registry
        assert registry.names("model") and registry.names("task") and registry.names("metric")
        for kind in ("models", "tasks", "metrics", "shifts", "interventions", "claims"):
            try:
                app(["list", kind])
            except SystemExit as exc:
                assert not exc.code, exc.code
        print("LOADED", [m for m in {HEAVY + NUMERIC!r} if m in sys.modules])
    """)
    assert out.returncode == 0, out.stderr
    assert "cnn+motif_oracle" in out.stdout and "coverage_90" in out.stdout  # it listed
    loaded = out.stdout.strip().splitlines()[-1]
    assert [m for m in HEAVY if repr(m) in loaded] == [], loaded
    assert [m for m in NUMERIC if repr(m) in loaded] == [], loaded


def test_json_listing_loads_the_classes():
    # --json reads each factory itself (the plain table only what was declared).
    out = _run("""
        import sys
        from regshift_bench.cli.main import app
        try:
            app(["list", "models", "--json"])
        except SystemExit:
            pass
        print("torch" in sys.modules)
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "True"


def test_cnn_resolves_to_the_class_and_builds_a_working_model(toy):
    from rsbench_models.cnn import CNN

    registry = plugins.load().registry
    proxy = registry.entries("model")[[e.name for e in registry.entries("model")].index("cnn")]
    assert isinstance(proxy.factory, LazyFactory)
    entry = registry.get("model", "cnn")
    assert entry.factory is CNN  # loaded once, kept in the registry
    assert registry.get("model", "cnn").factory is CNN
    model = registry.create("model", "cnn", channels=8, n_blocks=1)
    assert isinstance(model, CNN) and isinstance(model, Model) and model.name == "cnn"
    train, val = toy.subset(np.arange(48)), toy.subset(np.arange(48, 64))
    model.fit(train, val, rng=np.random.default_rng(0), budget=_one_epoch())
    pred = model.predict(val)
    assert pred.mean.shape == (16,) and np.all(np.isfinite(pred.var)) and np.all(pred.var > 0)


def _one_epoch():
    from regshift_bench.api import Budget

    return Budget(max_epochs=1)


def test_prior_variant_still_builds_its_prior_and_shows_its_rung():
    registry = plugins.load().registry
    factory = registry.get("model", "cnn+motif_oracle").factory
    assert factory.prior_params == {"source": "oracle"}
    assert factory.__doc__ == "CNN with motif prior features in its head"
    model = registry.create("model", "cnn+motif_oracle", channels=8, n_blocks=1)
    assert model.prior.name == "motif" and model.prior.source == "oracle"


def test_a_shift_keeps_its_kind_before_and_after_loading():
    registry = plugins.load().registry
    unloaded = next(e for e in registry.entries("shift") if e.name == "gc_shift").factory
    assert isinstance(unloaded, LazyFactory) and not is_loaded(unloaded)
    assert unloaded.kind == "covariate" and not is_loaded(unloaded)  # declared: no import
    cls = registry.get("shift", "gc_shift").factory
    assert isinstance(cls, type) and issubclass(cls, Shift) and cls.kind == "covariate"
    shift = registry.create("shift", "gc_shift", severity=0.5)
    assert shift.kind == "covariate" and shift.name == "gc_shift"


def test_every_builtin_lazy_entry_loads_and_declares_what_the_class_has():
    # Registry.get loads each lazy factory, compares every declared attribute with the
    # class's and applies the registration rules to the class; the listing rows built
    # from the declarations must equal those read from the loaded factories.
    registry = plugins.load().registry
    lazy_seen = 0
    for kind in KINDS:
        for entry in registry.entries(kind):
            light = _extra(entry, declared)
            lazy_seen += isinstance(entry.factory, LazyFactory)
            loaded = registry.get(kind, entry.name)
            assert not isinstance(loaded.factory, LazyFactory)
            assert _extra(loaded, getattr) == light, (kind, entry.name)
            assert loaded.summary == entry.summary
    assert lazy_seen > 50


def test_summaries_copied_from_the_classes_still_match_them():
    # These plugins used to read the one-line summary from the class; now it is written
    # out so that registering imports nothing. It must stay the class's own line.
    registry = plugins.load().registry
    for kind in ("metric", "intervention"):
        for entry in registry.entries(kind):
            cls = registry.get(kind, entry.name).factory
            assert entry.info["summary"] == cls.__doc__.strip().splitlines()[0], entry.name
    for entry in registry.entries("metric"):
        assert entry.info["target"] == registry.get("metric", entry.name).factory().target
    for entry in registry.entries("shift"):
        if entry.owner == "sim":
            assert entry.info["summary"] == registry.get("shift", entry.name).factory.summary


def test_the_exported_names_still_import():
    from rsbench_interventions import INTERVENTIONS, EvoAug
    from rsbench_metrics import METRICS, MSE, create
    from rsbench_models import CNN, NEURAL, PRIORS

    assert METRICS["mse"] is MSE and create("coverage_90").target == 0.9
    assert NEURAL["cnn"] is CNN and PRIORS["motif"].__name__ == "MotifPrior"
    assert INTERVENTIONS["evoaug"] is EvoAug
    with pytest.raises(KeyError):
        create("worst_group_coverage_90")  # as before: array metrics only


# --- the lazy factory itself ------------------------------------------------------------


def test_lazy_refuses_a_malformed_target_or_a_private_declaration():
    with pytest.raises(RegistryError, match="is not 'package.module:Name'"):
        lazy("rsbench_models.cnn.CNN")
    with pytest.raises(RegistryError, match="private"):
        lazy("rsbench_models.cnn:CNN", _hidden=1)


def test_lazy_forwards_doc_signature_and_attributes_and_pickles():
    import inspect

    from regshift_bench.no_shift import NoShift

    factory = lazy("regshift_bench.no_shift:NoShift", kind="selection")
    assert factory.__name__ == "NoShift" and target_of(factory) == "regshift_bench.no_shift:NoShift"
    assert factory.__doc__ == NoShift.__doc__
    assert inspect.signature(factory) == inspect.signature(NoShift)
    assert factory.default_severities == (0.0,)  # undeclared: read from the class
    assert resolve(factory) is NoShift and resolve(NoShift) is NoShift
    again = pickle.loads(pickle.dumps(factory))
    assert resolve(again) is NoShift and declared(again, "kind") == "selection"
    assert "A callable stand-in" in LazyFactory.__doc__


def test_a_declared_kind_is_checked_at_registration():
    with pytest.raises(
        RegistryError,
        match=r"plugin 'p', hook rsbench_register_shifts: shift "
        r"'s' declares kind 'sideways'",
    ):
        Registry().add("shift", "p", "s", lazy("no_such_module_xyz:S", kind="sideways"))
    with pytest.raises(RegistryError, match="declares stage 'never'"):
        Registry().add("intervention", "p", "i", lazy("no_such_module_xyz:I", stage="never"))


def test_a_lazy_dataset_or_claim_is_refused():
    with pytest.raises(RegistryError, match="not a regshift_bench.api.Dataset"):
        Registry().add("dataset", "p", "d", lazy("no_such_module_xyz:D"))
    with pytest.raises(RegistryError, match="not a regshift_bench.api.Claim"):
        Registry().add("claim", "p", "c", lazy("no_such_module_xyz:C"))


def test_a_declaration_the_class_contradicts_fails_when_loaded_naming_plugin_and_hook():
    reg = Registry()
    reg.add("shift", "p", "s", lazy("regshift_bench.no_shift:NoShift", kind="covariate"))
    with pytest.raises(
        RegistryError,
        match=r"plugin 'p', hook rsbench_register_shifts: shift "
        r"'s': .*declares kind='covariate' but .* has "
        r"'selection'",
    ):
        reg.get("shift", "s")


def test_an_import_failure_names_plugin_hook_and_target():
    reg = Registry()
    reg.add("model", "p", "m", lazy("no_such_module_xyz:Model"))
    assert reg.names("model") == ["m"]  # registering does not import
    with pytest.raises(
        RegistryError,
        match=r"plugin 'p', hook rsbench_register_models: model "
        r"'m': lazy factory 'no_such_module_xyz:Model' "
        r"cannot be loaded: ModuleNotFoundError",
    ):
        reg.create("model", "m")


def test_rules_needing_the_class_run_when_it_loads():
    reg = Registry()
    reg.add("shift", "p", "s", lazy("builtins:dict"))  # no kind declared: checked on load
    with pytest.raises(
        RegistryError,
        match=r"plugin 'p', hook rsbench_register_shifts: shift "
        r"'s' declares kind None",
    ):
        reg.get("shift", "s")
    reg.add("metric", "p", "f", lazy("os.path:join"))  # a plain function of arguments
    with pytest.raises(RegistryError, match=r"metric 'f' is a plain function taking \(a\)"):
        reg.get("metric", "f")
