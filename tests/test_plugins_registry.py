"""Registry rules, plugin isolation, autoload switch, get_plugin."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import regshift_bench
from regshift_bench import plugins
from regshift_bench.api import DataFile, Dataset, Model
from regshift_bench.errors import PluginError, RegistryError, UnknownNameError
from regshift_bench.registry import KINDS, Registry

TINY = Dataset("tiny", "toy/tiny", "a one-file dataset", (DataFile("a.txt", "0" * 64, 1),))


def test_duplicate_name_names_both_owners():
    reg = Registry()
    reg.add("model", "first", "cnn", Model)
    with pytest.raises(RegistryError, match="'cnn' is already registered by plugin 'first'") as e:
        reg.add("model", "second", "cnn", Model)
    assert "plugin 'second'" in str(e.value)


@pytest.mark.parametrize("name", ["CNN", "has space", "", "-x"])
def test_invalid_names_refused(name):
    with pytest.raises(RegistryError, match="is invalid"):
        Registry().add("model", "p", name, Model)


def test_non_callable_factory_refused():
    with pytest.raises(RegistryError, match="not callable"):
        Registry().add("model", "p", "m", 42)


def test_unknown_name_suggests_close_matches():
    reg = Registry()
    reg.add("model", "p", "gc_shift", Model)
    with pytest.raises(UnknownNameError, match=r"did you mean 'gc_shift'\?"):
        reg.get("model", "gc_shfit")


def test_factory_returning_wrong_type_is_plugin_error():
    reg = Registry()
    reg.add("model", "p", "bad", lambda: object())
    with pytest.raises(PluginError, match="expected a subclass of regshift_bench.api.Model"):
        reg.create("model", "bad")


def test_builtins_load_with_autoload_disabled(monkeypatch):
    monkeypatch.setenv(plugins.AUTOLOAD_ENV, "1")
    pset = plugins.load()
    assert {r.source for r in pset.records} == {"builtin"}
    assert "none" in pset.registry.names("shift")


def test_broken_plugins_are_reported_and_others_still_load():
    pset = plugins.load(("plugins.broken_import", "plugins.broken_register", "plugins.toy_plugin"))
    by_name = {r.name: r for r in pset.records}
    assert by_name["plugins.broken_import"].status == "failed"
    assert "deliberately broken" in by_name["plugins.broken_import"].error
    assert by_name["plugins.broken_register"].status == "failed"
    assert "hook crashed half-way" in by_name["plugins.broken_register"].error
    # What the failing hook registered before raising is rolled back.
    assert "half_registered" not in pset.registry.names("model")
    assert by_name["plugins.toy_plugin"].status == "ok"
    assert "toy_mean" in pset.registry.names("model")


def test_get_plugin_with_local_module_and_params():
    plugins.configure(("plugins.toy_plugin",))
    model = regshift_bench.get_plugin("model", "toy_mean", offset=2.0)
    assert model.offset == 2.0 and model.name == "toy_mean"
    assert model.get_params() == {"offset": 2.0}


def test_env_variable_adds_local_plugins(monkeypatch):
    monkeypatch.setenv(plugins.PLUGINS_ENV, "plugins.toy_plugin")
    assert "toy_gc" in plugins.load().registry.names("model")


# -- datasets (rsbench_register_datasets) ---------------------------------------------------


def test_dataset_kind_and_hook_are_declared():
    from regshift_bench.hookspecs import HOOK_KINDS

    assert "dataset" in KINDS
    assert HOOK_KINDS["rsbench_register_datasets"] == "dataset"


def test_plugin_registering_a_non_dataset_fails_naming_plugin_hook_and_rule():
    pset = plugins.load(("plugins.bad_dataset", "plugins.toy_dataset"))
    by_name = {r.name: r for r in pset.records}
    bad = by_name["plugins.bad_dataset"]
    assert bad.status == "failed"
    assert "plugin 'plugins.bad_dataset'" in bad.error
    assert "hook rsbench_register_datasets" in bad.error
    assert "dataset 'not_a_dataset' is a dict, not a regshift_bench.api.Dataset" in bad.error
    assert "register a Dataset instance" in bad.error and "\n" not in bad.error
    # What it registered before the bad call is rolled back; other plugins still load.
    assert "good_first" not in pset.registry.names("dataset")
    assert by_name["plugins.toy_dataset"].status == "ok"
    assert by_name["plugins.toy_dataset"].registered == {"dataset": ["toy_counts"], "task": ["toy_counts_task"]}
    assert by_name["mpra"].registered["dataset"][:5] == [
        "lentimpra",
        "sharpr_pilot",
        "dream_yeast",
        "kircher_satmut",
        "motifs",
    ]


def test_dataset_rule_is_kind_specific():
    reg = Registry()
    # A factory (callable) is fine for models but not for datasets ...
    with pytest.raises(
        RegistryError,
        match=r"plugin 'p', hook rsbench_register_datasets: "
        r"dataset 'tiny' is a type, not a regshift_bench",
    ):
        reg.add("dataset", "p", "tiny", Dataset)
    # ... and a Dataset (not callable) is refused as a model factory.
    with pytest.raises(RegistryError, match="hook rsbench_register_models: factory for 'tiny' is not callable"):
        reg.add("model", "p", "tiny", TINY)
    with pytest.raises(RegistryError, match="registered as 'other' is named 'tiny'"):
        reg.add("dataset", "p", "other", TINY)
    with pytest.raises(RegistryError, match="is invalid"):
        reg.add("dataset", "p", "Tiny", TINY)
    reg.add("dataset", "p", "tiny", TINY)
    with pytest.raises(RegistryError, match="'tiny' is already registered by plugin 'p'"):
        reg.add("dataset", "q", "tiny", TINY)


def test_dataset_create_returns_the_instance_and_refuses_params():
    reg = Registry()
    reg.add("dataset", "p", "tiny", TINY)
    assert reg.create("dataset", "tiny") is TINY
    assert reg.get("dataset", "tiny").summary == "a one-file dataset"  # title without summary=
    with pytest.raises(RegistryError, match=r"dataset 'tiny' takes no parameters \(got \['x'\]\)"):
        reg.create("dataset", "tiny", x=1)
    with pytest.raises(
        UnknownNameError,
        match=r"unknown dataset 'tiyn'; did you mean 'tiny'\? "
        r"\(see `rsbench list datasets`\)",
    ):
        reg.get("dataset", "tiyn")


def test_unknown_name_without_close_match_names_some_known_ones():
    from regshift_bench.errors import UnknownNameError

    msg = str(UnknownNameError("model", "no_such", [f"m{i}" for i in range(9)]))
    assert "known: m0, m1, m2, m3, m4, m5, ... (9 in all)" in msg and "did you mean" not in msg
    assert "none is registered" in str(UnknownNameError("model", "x", []))


# -- load failures are named where their names are asked for (issue 14.8) -------------------


def test_unknown_name_names_the_plugins_that_failed_to_load():
    pset = plugins.load(("plugins.broken_import", "plugins.toy_plugin"))
    with pytest.raises(UnknownNameError) as info:
        pset.registry.get("model", "its_model")
    message = str(info.value)
    assert message.startswith("unknown model 'its_model'")
    assert (
        "it may come from plugin 'plugins.broken_import', which failed to load: "
        "import failed: ImportError: this plugin is deliberately broken"
    ) in message
    assert "\n" not in message
    # Without failures the message is unchanged.
    with pytest.raises(UnknownNameError) as clean:
        plugins.load(("plugins.toy_plugin",)).registry.get("model", "its_model")
    assert "failed to load" not in str(clean.value)


def test_a_requested_plugin_that_fails_is_an_error_even_unused():
    from regshift_bench.errors import PluginLoadError

    plugins.configure(("plugins.does_not_exist",))
    with pytest.raises(
        PluginLoadError, match="plugin 'plugins.does_not_exist' failed to load: import failed: ModuleNotFoundError"
    ):
        plugins.check_requested()
    plugins.configure(("plugins.toy_plugin",))
    plugins.check_requested()  # loads fine: no error


def _cli(*args):
    import subprocess
    import sys

    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).parent),
        "COLUMNS": "300",
        "RSBENCH_DISABLE_PLUGIN_AUTOLOAD": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "regshift_bench.cli", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_cli_fails_on_a_broken_or_missing_plugin_naming_it():
    unused = _cli("--plugin", "plugins.does_not_exist", "list", "shifts")
    assert unused.returncode == 1 and unused.stdout == ""
    assert "plugin 'plugins.does_not_exist' failed to load" in unused.stderr
    used = _cli("--plugin", "plugins.broken_import", "run", "--model", "its_model")
    assert used.returncode == 1
    line = " ".join(used.stderr.split())
    assert "plugin 'plugins.broken_import' failed to load" in line
    assert "deliberately broken" in line and "model" in line
    ok = _cli("--plugin", "plugins.toy_plugin", "list", "shifts", "--json")
    assert ok.returncode == 0 and "toy_gc_shift" in ok.stdout


# -- metrics: a plain function is refused when registered, not in every cell ---------------


def test_plain_function_metric_refused_at_registration_naming_the_fix():
    def my_mse(data, pred):
        return float(((data.y - pred.mean) ** 2).mean())

    with pytest.raises(RegistryError) as info:
        Registry().add("metric", "mine", "my_mse", my_mse)
    message = str(info.value)
    assert "plugin 'mine'" in message and "plain function taking (data, pred)" in message
    assert "subclass of regshift_bench.api.Metric" in message and "\n" not in message


def test_metric_class_that_is_not_a_metric_refused():
    class NotAMetric:
        def __call__(self, data, pred):
            return 0.0

    with pytest.raises(RegistryError, match="not a subclass of regshift_bench.api.Metric"):
        Registry().add("metric", "mine", "odd", NotAMetric)


def test_metric_subclass_and_metric_building_function_accepted(toy):
    from regshift_bench.api import Metric, Prediction

    class MeanError(Metric):
        higher_is_better = False

        def __call__(self, data, pred, reference=None):
            return float(abs(data.y - pred.mean).mean())

    reg = Registry()
    reg.add("metric", "mine", "mean_error", MeanError)
    reg.add("metric", "mine", "mean_error_again", lambda: MeanError())
    pred = Prediction(toy.y + 1.0, toy.y * 0 + 1.0)
    for name in ("mean_error", "mean_error_again"):
        assert reg.create("metric", name)(toy, pred) == pytest.approx(1.0)
