"""Transcription-factor motifs: PWMs, a MEME reader, a built-in set and a fast scanner.

Public API
----------
:class:`Motif`, :class:`MotifSet`, :func:`from_iupac`, :func:`read_meme`,
:func:`builtin_motifs`, :func:`scan`, :func:`occupancy`.

Scores are log-odds in natural-log units (nats): ``exp(score)`` is the likelihood
ratio of a site under the PWM versus the background, so ``sigmoid(score - threshold)``
reads as a two-state (bound / unbound) occupancy with ``threshold`` playing the part
of a binding free energy.
"""

from __future__ import annotations

from regshift_bench.motifs.builtin import builtin_motifs
from regshift_bench.motifs.core import Motif, MotifSet, from_iupac
from regshift_bench.motifs.meme import read_meme
from regshift_bench.motifs.scan import occupancy, scan

__all__ = ["Motif", "MotifSet", "builtin_motifs", "from_iupac", "occupancy", "read_meme", "scan"]
