"""The conformance kit's ``check_task`` on the real-data tasks (skipped without data).

The shipped suites name the real tasks; each must load from ``$RSBENCH_DATA_DIR``
and pass the same contract a third-party task must pass.
"""

from __future__ import annotations

import pytest

from regshift_bench import plugins, tasks
from regshift_bench.testing import check_task


def _real_tasks() -> list[tuple[str, tuple]]:
    registry = plugins.load().registry
    out = []
    for suite in tasks.shipped_suites():
        for spec in suite.tasks:
            if getattr(registry.get("task", spec.task).factory, "kind", "") == "fixed":
                out.append((spec.task, spec.params))
    return out


REAL = _real_tasks()


def test_the_shipped_suites_have_real_tasks():
    assert len(REAL) >= 4, REAL  # lentiMPRA x2, Sharpr, DREAM


@pytest.mark.slow
@pytest.mark.parametrize("name,params", REAL, ids=[n for n, _ in REAL])
def test_real_task_passes_check_task(name, params, data_dir):
    report = check_task(name, **dict(params))
    failed = [f"{r.check}: {r.detail}" for r in report.results if not r.passed]
    assert report.ok, failed
    assert [r.check for r in report.results] == ["construct", "data"]
