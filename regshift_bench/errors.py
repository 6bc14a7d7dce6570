"""One error hierarchy for the whole harness.

Every message says what failed, which plugin (when one is involved), what was
expected and what to do. The CLI prints ``str(error)`` as one red line.
"""

from __future__ import annotations


class RegshiftError(Exception):
    """Base class of every error the harness raises on purpose."""


class DataError(RegshiftError):
    """Input data is malformed (bad sequence characters, missing values, ...)."""


class DataMissingError(DataError):
    """A dataset is not present in the data directory."""


class PluginError(RegshiftError):
    """A plugin misbehaved: raised, returned NaN, returned the wrong shape, ..."""

    def __init__(self, message: str, *, plugin: str | None = None) -> None:
        self.plugin = plugin
        prefix = f"plugin {plugin!r}: " if plugin else ""
        super().__init__(prefix + message)


class RegistryError(RegshiftError):
    """A registration broke a rule (duplicate name, bad factory or dataset, bad name)."""


class UnknownNameError(RegistryError):
    """A name was looked up that no plugin registered."""

    def __init__(self, kind: str, name: str, known: list[str], listing: str | None = None) -> None:
        import difflib

        self.kind, self.name = kind, name
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
        if close:
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?"
        elif known:  # nothing close: name a few real ones so the line is still actionable
            few = sorted(known)[:6]
            more = f", ... ({len(known)} in all)" if len(known) > len(few) else ""
            hint = f"; known: {', '.join(few)}{more}"
        else:
            hint = "; none is registered"
        kinds = ("task", "shift", "model", "metric", "prior", "dataset", "explainer")  # registry.KINDS
        if listing is None:
            listing = f"rsbench list {kind}s" if kind in kinds else "rsbench plugins"
        listing = f" (see `{listing}`)"
        super().__init__(f"unknown {kind} {name!r}{hint}{listing}")


class TaskFileError(RegshiftError):
    """A task or suite TOML file is invalid."""


class MetricSkipped(RegshiftError):
    """A metric cannot be computed on this data (e.g. it needs ``y_true``).

    The runner records the reason with status ``skipped``; it is never turned
    into a silent zero.
    """
