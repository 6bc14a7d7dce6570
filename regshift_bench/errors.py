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
    """A dataset is not present in the data directory.

    Parameters
    ----------
    message : str
        The one-line message (where it looked, how to get the data).
    dataset : str, optional
        The registered dataset that is missing, when known.
    fix : str, optional
        The command that gets it (``rsbench data fetch NAME``), so a planner can
        name each missing dataset once instead of repeating the message per task.
    """

    def __init__(self, message: str, *, dataset: str | None = None, fix: str | None = None) -> None:
        self.dataset, self.fix = dataset, fix
        super().__init__(message)


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

    def __init__(self, kind: str, name: str, known: list[str], listing: str | None = None, note: str = "") -> None:
        from regshift_bench.names import did_you_mean

        self.kind, self.name = kind, name
        hint = did_you_mean(name, known)
        if not hint and known:  # nothing close: name a few real ones, still actionable
            few = sorted(known)[:6]
            more = f", ... ({len(known)} in all)" if len(known) > len(few) else ""
            hint = f"; known: {', '.join(few)}{more}"
        elif not hint:
            hint = "; none is registered"
        from regshift_bench.kinds import listing as default_listing

        listing = f" (see `{listing or default_listing(kind)}`)"
        super().__init__(f"unknown {kind} {name!r}{hint}{listing}{note}")


class TaskFileError(RegshiftError):
    """A task or suite TOML file is invalid."""


class PluginLoadError(PluginError):
    """A plugin named with ``--plugin`` (or ``$RSBENCH_PLUGINS``) failed to load."""


class CellTimeout(RegshiftError):
    """A cell ran past its time limit (``--cell-timeout``)."""


class MetricSkipped(RegshiftError):
    """A metric cannot be computed on this data (e.g. it needs ``y_true``).

    The runner records the reason with status ``skipped``; it is never turned
    into a silent zero.
    """


class BootstrapUnavailable(RegshiftError):
    """A recorded number has no metric plugin to resample (e.g. a task's own score key)."""
