"""Packaging metadata: an install prints no deprecation banners."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_pyproject_applies_without_setuptools_warnings(monkeypatch):
    # `make install` used to print ~45 lines: setuptools' banner for `license = {text = ...}`,
    # once per build step. Applying the configuration is where setuptools raises it.
    from setuptools.config.pyprojecttoml import apply_configuration
    from setuptools.dist import Distribution

    monkeypatch.chdir(ROOT)  # the configuration's paths (readme, packages) are relative
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dist = apply_configuration(Distribution(), os.fspath(ROOT / "pyproject.toml"))
    assert dist.metadata.license_expression == "MIT"
    assert [f"{type(w.message).__name__}: {str(w.message)[:80]}" for w in caught] == []
