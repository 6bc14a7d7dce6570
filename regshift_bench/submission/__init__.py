"""Extending the published leaderboard: the reference bundle, split digests, submissions.

Modules: :mod:`.digests` (what examples a split holds), :mod:`.bundle` (the
``bundle/`` a published leaderboard ships), :mod:`.against` (run only a new model
against a bundle, refusing other data before training), :mod:`.meta`
(``model_meta.toml``), :mod:`.rescore` (metrics recomputed from predictions),
:mod:`.check` (``rsbench submission check``), :mod:`.board` (what a board may
show of a submission, and the external-data track). The guide is ``docs/submit.md``.
"""
