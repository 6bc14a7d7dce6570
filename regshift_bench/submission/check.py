"""``rsbench submission check``: is a submitted run what it claims to be?

Checks, each failure one reason line:

* ``model_meta.toml`` is complete and valid (:mod:`.meta`);
* the run's results ``schema_version`` is this rsbench's;
* at least :data:`MIN_SEEDS` seeds, and every planned cell finished with its
  results and predictions files;
* with a bundle: the same preset and suite versions, every data setting of the
  bundle's tasks covered, and every split the run saw has the bundle's digest;
* the labels stored beside the predictions have the digest the run recorded;
* every metric value and curve point re-scored from the predictions by the
  registered metric plugins equals the submitted one (:mod:`.rescore`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from regshift_bench import results as rs
from regshift_bench.errors import DataError
from regshift_bench.submission.digests import METADATA_KEY, difference, labels_digest, setting_key
from regshift_bench.submission.layout import read_digests
from regshift_bench.submission.meta import ModelMeta, read_meta
from regshift_bench.submission.rescore import Rescored, rescore_run

MIN_SEEDS = 3


@dataclass
class Verdict:
    """The outcome of :func:`check_submission`.

    Attributes
    ----------
    folder : Path
    ok : bool
        True when ``reasons`` is empty.
    reasons : list of str
        Why it fails, one line each.
    meta : ModelMeta or None
    cells, seeds, verified, unverifiable : int
        Finished cells, distinct seeds, metric values recomputed and equal, and ok
        rows no plugin recomputes (never shown on a board).
    rescored : Rescored or None
    """

    folder: Path
    reasons: list[str] = field(default_factory=list)
    meta: ModelMeta | None = None
    cells: int = 0
    seeds: int = 0
    verified: int = 0
    unverifiable: int = 0
    rescored: Rescored | None = None

    @property
    def ok(self) -> bool:
        return not self.reasons

    def line(self) -> str:
        """The one-line verdict."""
        if self.ok:
            return (
                f"PASS {self.folder}: {self.cells} cells, {self.seeds} seeds, "
                f"{self.verified} metric values recomputed from the predictions and equal "
                f"to the submitted ones ({self.unverifiable} rows not recomputable from "
                "predictions are left off boards)"
            )
        noun = "reason" if len(self.reasons) == 1 else "reasons"
        return f"FAIL {self.folder}: {len(self.reasons)} {noun}"


def _label(entry: dict[str, Any]) -> str:
    return f"{setting_key(entry['task'], entry['shift'], entry['severity'], entry['seed'])}/{entry['model']}"


def _read(folder: Path) -> tuple[dict[str, Any], pd.DataFrame]:
    manifest = rs.read_manifest(folder)
    frame = rs.read_results(folder)
    for col in ("reference", "explainer"):
        frame[col] = frame[col].fillna("") if col in frame.columns else ""
    return manifest, frame


def _completeness(folder: Path, plan: dict[str, dict[str, Any]], frame: pd.DataFrame) -> list[str]:
    reasons = []
    ok = set(frame.loc[frame["status"].isin(["ok", "skipped"]), "cell"])
    failed = set(frame.loc[frame["status"] == "failed", "cell"])
    for cell, entry in sorted(plan.items()):
        if cell in failed:
            reasons.append(f"cell {_label(entry)} failed; re-run it (`rsbench run` with the same --out resumes)")
        elif cell not in ok:
            reasons.append(f"cell {_label(entry)} has no results; re-run it to finish the grid")
        elif not (folder / "predictions" / f"{cell}.parquet").exists():
            reasons.append(
                f"cell {_label(entry)} has no predictions file; the check re-scores "
                "from predictions, so re-run that cell"
            )
    return reasons


def _digests(folder: Path, plan: dict[str, dict[str, Any]], bundle: dict[str, Any] | None) -> list[str]:
    """Recorded digests against the stored labels and the bundle's digests."""
    reasons: list[str] = []
    settings = (bundle or {}).get("settings", {})
    for cell, entry in sorted(plan.items()):
        path = folder / "predictions" / f"{cell}.parquet"
        if not path.exists():
            continue
        recorded = rs.read_metadata(path).get(METADATA_KEY)
        key = setting_key(entry["task"], entry["shift"], entry["severity"], entry["seed"])
        if not recorded:
            reasons.append(
                f"cell {_label(entry)}: its predictions record no split digests "
                "(written by an older rsbench); re-run it with this version"
            )
            continue
        frame = pq.read_table(path, columns=["split", "row", "y"]).to_pandas()
        for split, part in frame.groupby("split", sort=True):
            stored = labels_digest(part.sort_values("row")["y"].to_numpy())
            if split in recorded and stored != recorded[split]["labels"]:
                reasons.append(
                    f"cell {_label(entry)} {split}: the labels stored with the "
                    "predictions are not those of the examples the run saw"
                )
        if bundle is None:
            continue
        if key not in settings:
            reasons.append(
                f"data setting {key} is not in the bundle (the published grid "
                "lacks it); run only settings the bundle holds"
            )
            continue
        for split, digest in sorted(recorded.items()):
            theirs = settings[key].get(split)
            line = difference(split, key, digest, theirs) if theirs else (f"split {key} {split} is not in the bundle")
            if line:
                reasons.append(line)
    return sorted(set(reasons), key=reasons.index)


def _against_bundle(manifest: dict[str, Any], plan: dict[str, dict[str, Any]], bundle: dict[str, Any]) -> list[str]:
    reasons = []
    if str(manifest.get("preset", "")) != str(bundle.get("preset", "")):
        reasons.append(
            f"preset {manifest.get('preset')!r} but the bundle is "
            f"{bundle.get('preset')!r}; run with --preset {bundle.get('preset')}"
        )
    for suite, version in (manifest.get("suites") or {}).items():
        theirs = (bundle.get("suites") or {}).get(suite)
        if theirs is not None and theirs != version:
            reasons.append(
                f"suite {suite!r} is version {version} here but {theirs} in the "
                "bundle; run with the task files the leaderboard was published from"
            )
    tasks = {e["task"] for e in plan.values()}
    seeds = {int(e["seed"]) for e in plan.values()}
    have = {setting_key(e["task"], e["shift"], e["severity"], e["seed"]) for e in plan.values()}
    wanted = {
        k for k in bundle.get("settings", {}) if k.split("/", 1)[0] in tasks and int(k.rsplit("seed", 1)[1]) in seeds
    }
    lacking = sorted(wanted - have)
    if lacking:
        reasons.append(
            f"incomplete: {len(lacking)} data setting(s) of the bundle's grid for "
            f"these tasks have no cell, e.g. {', '.join(lacking[:3])}"
        )
    return reasons


def check_submission(folder: str | Path, against: str | Path | None = None) -> Verdict:
    """Check a submission folder (see the module docstring).

    Parameters
    ----------
    folder : path
        ``submissions/<model>/<version>/``: a run directory plus ``model_meta.toml``.
    against : path, optional
        A published leaderboard folder (or its ``bundle/``); without it the preset,
        suites, coverage and digests are not compared with the published grid.

    Returns
    -------
    Verdict
    """
    folder = Path(folder)
    verdict = Verdict(folder)
    verdict.meta, problems = read_meta(folder)
    verdict.reasons += problems
    try:
        manifest, frame = _read(folder)
    except DataError as exc:
        verdict.reasons.append(str(exc))
        return verdict
    bundle = read_digests(against) if against is not None else None
    plan = {e["cell"]: e for e in manifest.get("plan", [])}
    models = sorted({e["model"] for e in plan.values()})
    if verdict.meta is not None and verdict.meta.name not in models:
        verdict.reasons.append(
            f"model_meta.toml names model {verdict.meta.name!r} but the run "
            f"holds {', '.join(map(repr, models)) or 'no model'}"
        )
    verdict.seeds = len({int(e["seed"]) for e in plan.values()})
    if verdict.seeds < MIN_SEEDS:
        verdict.reasons.append(
            f"{verdict.seeds} seed(s); a submission needs at least {MIN_SEEDS} (run with --seeds {MIN_SEEDS})"
        )
    verdict.reasons += _completeness(folder, plan, frame)
    if bundle is not None:
        verdict.reasons += _against_bundle(manifest, plan, bundle)
    verdict.reasons += _digests(folder, plan, bundle)
    verdict.cells = int(frame.loc[frame["status"] != "failed", "cell"].nunique())
    verdict.rescored = rescore_run(folder, frame, plan, {c: _label(e) for c, e in plan.items()})
    verdict.reasons += verdict.rescored.mismatches
    verdict.verified = len(verdict.rescored.verified)
    verdict.unverifiable = verdict.rescored.unverifiable
    return verdict
