"""The core's layering: no import cycle, no built-in named, plugin kinds declared once.

The import graph is read from the source with :mod:`ast`, so imports inside
functions (the lazy ones that used to hide a ``datasets`` -> ``plugins`` ->
``registry`` -> ``datasets`` circle) count the same as module-level ones.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

import regshift_bench

PKG = Path(regshift_bench.__file__).resolve().parent
BUILTINS = ("rsbench_sim", "rsbench_mpra", "rsbench_models", "rsbench_metrics")


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _target(name: str, modules: dict[str, Path]) -> str | None:
    """The longest prefix of ``name`` that is a core module (``a.b.C`` -> ``a.b``)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> dict[str, set[str]]:
    """Core module -> core modules it imports anywhere in its source.

    ``from pkg import x`` is an edge to ``pkg.x`` when that is a module, else to
    ``pkg`` (whose ``__init__`` must run to provide ``x``). Parent packages a
    module is imported through are not edges: Python initialises them first, so
    they can never be half-initialised for the child.
    """
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for mod, path in modules.items():
        is_pkg = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = mod.split(".")
                    anchor = anchor if is_pkg else anchor[:-1]
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                names = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            for name in names:
                tgt = _target(name, modules)
                if tgt and tgt != mod and not mod.startswith(tgt + "."):
                    graph[mod].add(tgt)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of ``graph`` as a list of nodes (first == last), or ``[]``."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_the_cycle_finder_finds_a_planted_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []


def test_graph_sees_lazy_imports():
    graph = import_graph()
    # runner.run_group imports paths inside the function body.
    assert "regshift_bench.paths" in graph["regshift_bench.runner"]
    assert "regshift_bench.plugins" in graph["regshift_bench"]


def test_no_import_cycle_among_core_modules():
    cycle = find_cycle(import_graph())
    assert not cycle, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("module", sorted(m for m in _modules() if not m.endswith("__main__")))
def test_every_core_module_imports(module):
    importlib.import_module(module)


def test_core_imports_no_builtin_plugin():
    # By statement or by name handed to importlib: both tie the core to a built-in.
    pattern = re.compile(r"^\s*(from|import)\s+(" + "|".join(BUILTINS) + r")\b", re.M)
    dynamic = re.compile(r"import_module\(\s*['\"](" + "|".join(BUILTINS) + r")")
    for mod, path in _modules().items():
        text = path.read_text()
        assert not pattern.search(text), f"{mod} imports a built-in plugin package"
        assert not dynamic.search(text), f"{mod} imports a built-in plugin package by name"


def test_io_module_does_not_reach_the_plugin_manager():
    graph = import_graph()
    seen, todo = set(), ["regshift_bench.datasets"]
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph[node])
    assert "regshift_bench.plugins" not in seen and "regshift_bench.registry" not in seen


def test_plugin_kinds_are_declared_once():
    from regshift_bench import hookspecs, kinds, registry
    from regshift_bench.errors import UnknownNameError

    assert registry.KINDS is kinds.KINDS
    assert sorted(hookspecs.HOOK_KINDS.values()) == sorted(kinds.KINDS)
    for kind in kinds.KINDS:  # each kind has its documented hook
        assert hasattr(hookspecs, kinds.hook_name(kind))
    assert "rsbench list models" in str(UnknownNameError("model", "x", []))
    assert "rsbench plugins" in str(UnknownNameError("plugin", "x", []))
    # No other core module spells the tuple out again.
    spelled = re.compile(r"\(\s*['\"]task['\"],\s*['\"]shift['\"],\s*['\"]model['\"]")
    for mod, path in _modules().items():
        if mod != "regshift_bench.kinds":
            assert not spelled.search(path.read_text()), f"{mod} spells out the plugin kinds"


def test_builtins_come_only_through_their_entry_points(monkeypatch):
    from regshift_bench import plugins

    monkeypatch.setenv(plugins.AUTOLOAD_ENV, "1")
    loaded = plugins.load()
    builtins = {r.name: r for r in loaded.records if r.name != "core"}
    assert set(builtins) == {"sim", "mpra", "models", "metrics", "explain", "interventions"}
    assert all(
        r.source == "builtin" and r.distribution == "regshift-bench" and r.status == "ok" for r in builtins.values()
    )
    # Without entry points the core has nothing but its own plugin: it names no built-in.
    monkeypatch.setattr(plugins.md, "entry_points", lambda **kw: [])
    bare = plugins.load()
    assert [r.name for r in bare.records] == ["core"]
    assert bare.registry.names("shift") == ["none"] and bare.registry.names("model") == []


def test_autoload_off_skips_other_distributions_only(monkeypatch):
    import importlib.metadata as md

    from regshift_bench import plugins

    real = md.entry_points(group="rsbench")
    foreign = md.EntryPoint("foreign", "plugins.toy_plugin", "rsbench")  # no distribution
    monkeypatch.setattr(plugins.md, "entry_points", lambda **kw: [*real, foreign])
    monkeypatch.setenv(plugins.AUTOLOAD_ENV, "1")
    assert "foreign" not in {r.name for r in plugins.load().records}
    monkeypatch.setenv(plugins.AUTOLOAD_ENV, "0")
    on = {r.name: r for r in plugins.load().records}
    assert on["foreign"].source == "entry-point" and "toy_mean" in plugins.load().registry.names("model")


def test_default_generative_task_is_found_not_named(monkeypatch):
    from regshift_bench import plugins
    from regshift_bench.errors import RegistryError

    # The first generative task in registration order; the core never spells its name.
    ordered = plugins.current().registry.in_order("task")
    first = next(e.name for e in ordered if getattr(e.factory, "kind", "") == "generative")
    assert plugins.default_task("generative") == first
    assert plugins.default_task("fixed") == next(e.name for e in ordered if getattr(e.factory, "kind", "") == "fixed")
    monkeypatch.setattr(plugins.md, "entry_points", lambda **kw: [])
    plugins.reset()
    with pytest.raises(RegistryError, match="no generative task is registered"):
        plugins.default_task()
