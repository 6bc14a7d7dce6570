"""Close matches for a misspelt name: the one did-you-mean rule of the harness.

Every "unknown name" message (plugins, task-file keys, model parameters,
leaderboard columns, motif names, ...) builds its hint here, so the wording and
the cut-off are the same everywhere.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

#: Similarity (difflib ratio) a known name needs to be suggested.
CUTOFF = 0.5


def close_matches(name: str, known: Iterable[str], n: int = 3, cutoff: float = CUTOFF) -> list[str]:
    """Up to ``n`` names of ``known`` that look like ``name``, closest first."""
    return difflib.get_close_matches(str(name), [str(k) for k in known], n=n, cutoff=cutoff)


def did_you_mean(name: str, known: Iterable[str], n: int = 3, cutoff: float = CUTOFF) -> str:
    """``"; did you mean 'x'?"`` (or ``'x', 'y'``) for close matches, else ``""``.

    Examples
    --------
    >>> did_you_mean("gc_shfit", ["gc_shift", "motif_shift"])
    "; did you mean 'gc_shift'?"
    >>> did_you_mean("zzz", ["gc_shift"])
    ''
    """
    close = close_matches(name, known, n, cutoff)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
