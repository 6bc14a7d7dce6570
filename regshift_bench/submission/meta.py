"""``model_meta.toml``: who made a submitted model, from what code, trained on what.

Layout of a submission (``submissions/<model>/<version>/``): the run directory of
``rsbench run ... --against leaderboard/`` (``manifest.json``, ``cells/``,
``predictions/``, ``results.parquet``, ``curves/``) plus this file::

    name = "example_cnn"                  # the registered model name
    version = "0.2.0"                     # the submission's version (its folder name)
    code_url = "https://example.org/rsbench-example-model"
    licence = "MIT"
    parameters = 10817                    # trainable parameters
    training_data = "task"                # "task": the task's training split only;
                                          # "external": also data from elsewhere
    # external_data = "ENCODE DNase-seq, 2023 release"   # required with "external"
    [plugin]
    distribution = "rsbench-example-model"
    version = "0.2.0"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regshift_bench.names import close_matches

META_FILE = "model_meta.toml"
TRAINING_DATA = ("task", "external")
_REQUIRED: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "version": str,
    "code_url": str,
    "licence": str,
    "parameters": int,
    "training_data": str,
    "plugin": dict,
}
_OPTIONAL: dict[str, type | tuple[type, ...]] = {"external_data": str}


@dataclass(frozen=True)
class ModelMeta:
    """The parsed ``model_meta.toml`` (see the module docstring for the fields)."""

    name: str
    version: str
    code_url: str
    licence: str
    parameters: int
    training_data: str
    plugin_distribution: str
    plugin_version: str
    external_data: str = ""

    @property
    def external(self) -> bool:
        """Whether the model was trained on data beyond the task's training split."""
        return self.training_data == "external"


def _problems(raw: dict[str, Any]) -> list[str]:
    problems = []
    allowed = {**_REQUIRED, **_OPTIONAL}
    for key in raw:
        if key not in allowed:
            close = close_matches(key, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"unknown key {key!r}{hint}")
    for key, kind in _REQUIRED.items():
        if key not in raw:
            problems.append(f"missing key {key!r}")
        elif not isinstance(raw[key], kind) or isinstance(raw[key], bool):
            problems.append(f"{key!r} must be a {getattr(kind, '__name__', kind)}")
    if isinstance(raw.get("parameters"), int) and raw["parameters"] < 0:
        problems.append("'parameters' must be the count of trainable parameters (>= 0)")
    data = raw.get("training_data")
    if isinstance(data, str) and data not in TRAINING_DATA:
        problems.append(
            f"'training_data' is {data!r}; use 'task' (the task's training split "
            "only) or 'external' (and say what in external_data)"
        )
    if data == "external" and not str(raw.get("external_data", "")).strip():
        problems.append("'training_data' is 'external' but 'external_data' does not say what")
    plugin = raw.get("plugin")
    if isinstance(plugin, dict):
        for key in ("distribution", "version"):
            if not isinstance(plugin.get(key), str) or not plugin.get(key):
                problems.append(f"[plugin] needs {key!r} (the pip distribution and its version)")
    return problems


def read_meta(folder: str | Path) -> tuple[ModelMeta | None, list[str]]:
    """Parse ``folder/model_meta.toml``.

    Returns
    -------
    meta : ModelMeta or None
        None when the file is absent, unreadable or has problems.
    problems : list of str
        One line each, naming the file; empty when the file is valid.
    """
    path = Path(folder) / META_FILE
    if not path.is_file():
        return None, [f"{path} is missing; write it (fields in docs/submit.md)"]
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return None, [f"{path} is not valid TOML: {exc}"]
    problems = [f"{path}: {p}" for p in _problems(raw)]
    if problems:
        return None, problems
    plugin = raw["plugin"]
    return ModelMeta(
        raw["name"],
        raw["version"],
        raw["code_url"],
        raw["licence"],
        raw["parameters"],
        raw["training_data"],
        plugin["distribution"],
        plugin["version"],
        raw.get("external_data", ""),
    ), []


def is_submission(folder: str | Path) -> bool:
    """Whether ``folder`` is a submission (a run directory with ``model_meta.toml``)."""
    return (Path(folder) / META_FILE).is_file()
