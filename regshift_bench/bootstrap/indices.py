"""Resampling indices, drawn in row blocks so memory stays bounded."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from regshift_bench.errors import DataError

#: Largest number of resampled entries held at once per array (8 MiB of float64);
#: blocks that fit in cache run faster than one big block. Read at call time, so
#: setting ``regshift_bench.bootstrap.indices.MAX_ELEMENTS`` changes the block size.
MAX_ELEMENTS = 1 << 20


def iter_bootstrap_indices(
    n: int, n_boot: int, rng: np.random.Generator, *, max_elements: int | None = None
) -> Iterator[np.ndarray]:
    """Yield resampling indices in row blocks.

    Parameters
    ----------
    n : int
        Number of examples (>= 1).
    n_boot : int
        Number of resamples B (>= 1).
    rng : numpy.random.Generator
    max_elements : int, optional
        Largest block size in entries (default :data:`MAX_ELEMENTS`); blocks have
        ``max(1, max_elements // n)`` rows.

    Yields
    ------
    numpy.ndarray, int64, shape (b, n)
        Blocks whose concatenation is the same for any ``max_elements``
        (``Generator.integers`` draws entries one after another in C order).
    """
    if n < 1 or n_boot < 1:
        raise DataError(f"bootstrap needs n >= 1 examples and n_boot >= 1, got n={n}, n_boot={n_boot}")
    rows = max(1, (MAX_ELEMENTS if max_elements is None else max_elements) // n)
    for start in range(0, n_boot, rows):
        yield rng.integers(0, n, size=(min(rows, n_boot - start), n), dtype=np.int64)


def bootstrap_indices(n: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """All resampling indices at once, int64 (n_boot, n); for small n only.

    Equal to the concatenated blocks of :func:`iter_bootstrap_indices` with the
    same generator state, which the bootstrap functions use to bound memory.
    """
    return np.concatenate(list(iter_bootstrap_indices(n, n_boot, rng)), axis=0)
