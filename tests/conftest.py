"""Shared fixtures: built-ins only, tiny seeded data, CPU by default."""

from __future__ import annotations

import os

os.environ.setdefault("RSBENCH_DISABLE_PLUGIN_AUTOLOAD", "1")
# The data directory's default home (platformdirs: $XDG_DATA_HOME) is an empty folder of
# this session, so no test reads or fills the user's real one.
import tempfile  # noqa: E402

os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="rsbench-xdg-")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from regshift_bench import plugins  # noqa: E402
from regshift_bench.testing import toy_dataset  # noqa: E402


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    import torch

    if not torch.cuda.is_available():
        skip = pytest.mark.skip(reason="needs CUDA")
        for item in items:
            if "gpu" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_plugins() -> None:
    """Each test starts from the built-in plugin set."""
    plugins.configure(())


@pytest.fixture
def toy():
    """64 toy sequences of length 40 with a planted-motif signal."""
    return toy_dataset(64, 40, 0)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.fixture
def data_dir():
    """The real data directory, or skip when RSBENCH_DATA_DIR is unset."""
    from pathlib import Path

    path = os.environ.get("RSBENCH_DATA_DIR")
    if not path or not Path(path).is_dir():
        pytest.skip("RSBENCH_DATA_DIR not set")
    return Path(path).resolve()  # file:// URLs need an absolute path


@pytest.fixture(scope="module")
def one_torch_thread():
    """Small convolutions run faster on one thread, and the CI machine is shared."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
