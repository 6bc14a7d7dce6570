"""Registry rules, plugin isolation, autoload switch, get_plugin."""

from __future__ import annotations

import pytest

import regshift_bench
from regshift_bench import plugins
from regshift_bench.api import Model
from regshift_bench.errors import PluginError, RegistryError, UnknownNameError
from regshift_bench.registry import Registry


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
    reg.add("shift", "p", "gc_shift", Model)
    with pytest.raises(UnknownNameError, match=r"did you mean 'gc_shift'\?"):
        reg.get("shift", "gc_shfit")


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
