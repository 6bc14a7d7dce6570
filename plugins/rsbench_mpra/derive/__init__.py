"""Derivations: the tables the built-in tasks read, made from pinned public originals.

One module per dataset. Each declares ``SOURCES`` (the public files it reads, pinned
by URL at a fixed commit and by SHA-256) and ``derive(sources, out)``, which writes
the derived tables under ``out``; :func:`regshift_bench.datasets.fetch` downloads the
sources, runs ``derive`` and checks every table against its pinned SHA-256 before
moving it into the data directory. Every step is deterministic: tab-separated text
with a header, floats as Python writes them (shortest round-trip repr), gzip at
level 9 with a zero timestamp and no file name, so the same inputs give the same bytes
on any machine (the one exception, a base-2 logarithm, is rounded; see
:mod:`rsbench_mpra.derive.sharpr`).

Modules: :mod:`~rsbench_mpra.derive.lentimpra`, :mod:`~rsbench_mpra.derive.dream_yeast`,
:mod:`~rsbench_mpra.derive.kircher`, :mod:`~rsbench_mpra.derive.sharpr`,
:mod:`~rsbench_mpra.derive.motifs`.
"""
