"""Provenance stamped into every results file: versions, commits, device, times."""

from __future__ import annotations

import platform
import subprocess
from pathlib import Path
from typing import Any

import regshift_bench


def git_commit() -> str | None:
    """The checkout's commit (with ``-dirty``), or None outside a git checkout."""
    root = Path(regshift_bench.__file__).resolve().parent.parent
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "describe", "--always", "--dirty", "--abbrev=40"],
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def resolve_device(device: str) -> str:
    """``auto`` -> ``cuda`` when available, else ``cpu``; others pass through."""
    import torch

    from regshift_bench.errors import RegshiftError

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise RegshiftError("--device cuda asked for, but torch sees no CUDA device; use --device cpu or auto")
    if device not in ("cpu",) and not device.startswith("cuda"):
        raise RegshiftError(f"unknown device {device!r}; use auto, cpu or cuda")
    return device


def device_name(device: str) -> str:
    import torch

    if device.startswith("cuda"):
        return str(torch.cuda.get_device_name(torch.device(device)))
    return platform.processor() or platform.machine()


def collect(device: str) -> dict[str, Any]:
    """Versions and environment of this process."""
    import numpy
    import torch

    from regshift_bench import plugins

    return {
        "rsbench": regshift_bench.__version__,
        "plugins": {r.name: r.version for r in plugins.current().records if r.status == "ok"},
        "plugin_errors": {r.name: r.error for r in plugins.current().records if r.status != "ok"},
        "git_commit": git_commit(),
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "device": device,
        "device_name": device_name(device),
    }


def cell_commits(manifest: dict[str, Any]) -> list[str]:
    """The distinct git commits the finished cells of a run manifest were computed at.

    Each cell entry records its ``commit``; an entry without one (a cell of a run
    from before cells recorded it) counts the manifest's ``git_commit``. A resumed
    run lists several when its sessions ran at different commits.
    """
    fallback = (manifest.get("provenance") or {}).get("git_commit")
    found = {
        entry.get("commit") or fallback
        for entry in (manifest.get("cells") or {}).values()
        if entry.get("status") == "ok"
    }
    return sorted(str(c) for c in found if c)


def run_commits(manifests: list[dict[str, Any]]) -> list[str]:
    """The distinct git commits behind the cells of several run manifests."""
    found: set[str] = set()
    for man in manifests:
        prov = man.get("provenance") or {}
        found.update(prov.get("commits") or cell_commits(man))
    return sorted(found)
