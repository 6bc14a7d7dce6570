"""`rsbench data fetch`: every dataset from its public originals, derived and verified.

The real-data tests serve the mirror of the public originals (``../shared/upstream``
next to the checkout, or ``$RSBENCH_UPSTREAM_DIR``) as a ``file://`` mirror base and
skip with the reason when it is absent; nothing here touches the network.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from regshift_bench import datasets, plugins
from regshift_bench.api import DataFile, Dataset
from regshift_bench.errors import DataError

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = "mpra/ernst2016_sharpr_pilot/pilot_sequence_summary.tsv.gz"


def _upstream() -> Path | None:
    env = os.environ.get("RSBENCH_UPSTREAM_DIR")
    path = Path(env) if env else ROOT.parent / "shared" / "upstream"
    return path.resolve() if (path / "MANIFEST.tsv").is_file() else None


@pytest.fixture(scope="module")
def upstream() -> Path:
    path = _upstream()
    if path is None:
        pytest.skip("no mirror of the public originals (../shared/upstream or RSBENCH_UPSTREAM_DIR)")
    return path


@pytest.fixture(scope="module")
def fetched(upstream: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """Every dataset fetched from the file:// mirror into an empty data directory."""
    plugins.configure(())
    root = tmp_path_factory.mktemp("data")
    results = datasets.fetch_all(plugins.registered_datasets(), root, mirror=upstream.as_uri())
    return root, results


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "COLUMNS": "200", **env}
    return subprocess.run(
        [sys.executable, "-m", "regshift_bench.cli", *args], capture_output=True, text=True, env=full_env, timeout=300
    )


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


# -- the mirror base ----------------------------------------------------------------------


def test_mirror_replaces_the_public_host() -> None:
    url = datasets.GITHUB_RAW + "o/r/0123/data/x.tsv"
    assert datasets.mirrored(url, None) == url
    assert datasets.mirrored(url, "file:///srv/up") == "file:///srv/up/o/r/0123/data/x.tsv"
    assert datasets.mirrored(url, "https://lab.example/m/") == "https://lab.example/m/o/r/0123/data/x.tsv"
    assert (
        datasets.mirrored("https://zenodo.org/records/1/files/a.tsv?download=1", "file:///m")
        == "file:///m/zenodo.org/records/1/files/a.tsv"
    )


def test_mirror_base_comes_from_the_option_then_the_environment(monkeypatch) -> None:
    monkeypatch.delenv(datasets.MIRROR_ENV, raising=False)
    assert datasets.mirror_base(None) is None
    monkeypatch.setenv(datasets.MIRROR_ENV, "file:///env")
    assert datasets.mirror_base(None) == "file:///env"
    assert datasets.mirror_base("file:///flag") == "file:///flag"


def test_every_builtin_dataset_is_fetchable_and_says_where_it_comes_from() -> None:
    for d in plugins.registered_datasets():
        assert d.fetchable, d.name
        assert datasets.fetch_command(d) == f"rsbench data fetch {d.name}"
        assert d.source and d.licence and "doi:" in d.citation, d.name
        for s in d.sources:
            assert s.url == datasets.GITHUB_RAW + s.path  # pinned at a full commit id
            assert len(s.path.split("/")[2]) == 40, s.path


# -- derivation is atomic and verified ----------------------------------------------------


def _toy(tmp_path: Path, derived_body: bytes) -> tuple[Dataset, str]:
    """A one-source dataset whose derive upper-cases the source; pinned to ``derived_body``."""
    served = tmp_path / "served"
    (served / "o/r/c").mkdir(parents=True, exist_ok=True)
    body = b"acgt\t1.5\n"
    (served / "o/r/c/in.tsv").write_bytes(body)

    def derive(sources, out):
        (out / "table.tsv").write_bytes(Path(sources["in.tsv"]).read_bytes().upper())

    source = DataFile("o/r/c/in.tsv", hashlib.sha256(body).hexdigest(), len(body), datasets.GITHUB_RAW + "o/r/c/in.tsv")
    pinned = DataFile("table.tsv", hashlib.sha256(derived_body).hexdigest(), len(derived_body))
    return Dataset("toy", "toy/set", "toy", (pinned,), sources=(source,), derive=derive), served.as_uri()


def test_a_derived_file_moves_into_place_only_when_it_matches(tmp_path: Path) -> None:
    good, mirror = _toy(tmp_path, b"ACGT\t1.5\n")
    data = tmp_path / "data"
    assert datasets.fetch(good, data, mirror=mirror) == [("table.tsv", "derived")]
    assert (data / "toy/set/table.tsv").read_bytes() == b"ACGT\t1.5\n"
    assert (data / "upstream/o/r/c/in.tsv").is_file()  # originals kept, laid out as a mirror
    assert datasets.fetch(good, data, mirror=mirror) == [("table.tsv", "present")]
    bad, _ = _toy(tmp_path, b"something else\n")
    other = tmp_path / "other"
    with pytest.raises(DataError, match="derived table.tsv has sha256 .*nothing was written"):
        datasets.fetch(bad, other, mirror=mirror)
    assert not (other / "toy").exists()
    assert [p.name for p in _files(other)] == ["in.tsv"]  # only the verified original


def test_a_corrupt_original_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    good, mirror = _toy(tmp_path, b"ACGT\t1.5\n")
    (tmp_path / "served/o/r/c/in.tsv").write_bytes(b"tampered\n")
    data = tmp_path / "data"
    with pytest.raises(DataError, match="checksum mismatch for in.tsv"):
        datasets.fetch(good, data, mirror=mirror)
    assert _files(data) == []


def test_offline_is_one_line_naming_the_url_and_the_mirror_option(tmp_path: Path) -> None:
    data = tmp_path / "data"
    # Port 9 (discard) on the loopback interface: refused at once, no network involved.
    out = _cli("data", "fetch", "--all", "--url", "http://127.0.0.1:9/", RSBENCH_DATA_DIR=str(data))
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "http://127.0.0.1:9/" in lines[0] and "--url BASE" in lines[0]
    assert datasets.MIRROR_ENV in lines[0] and "nothing was written" in lines[0]
    assert not data.exists() or _files(data) == []


def test_fetch_needs_a_name_or_all(tmp_path: Path) -> None:
    out = _cli("data", "fetch", RSBENCH_DATA_DIR=str(tmp_path))
    assert out.returncode == 1 and "--all" in out.stderr
    assert _files(tmp_path) == []


def test_data_list_shows_source_licence_and_citation() -> None:
    import json

    out = _cli("data", "list", "--json")
    assert out.returncode == 0, out.stderr
    about = {d["name"]: d for d in json.loads(out.stdout)["datasets"]}
    assert "CC BY 4.0" in about["motifs"]["licence"]
    assert "doi:10.1038/nbt.3678" in about["sharpr_pilot"]["citation"]
    assert "GSE71279" in about["sharpr_pilot"]["source"]
    table = _cli("data", "list")
    assert table.returncode == 0 and "licence" in table.stdout and "Kircher M" in table.stdout


# -- the real datasets, from the file:// mirror -------------------------------------------


def test_fetch_all_from_the_mirror_derives_every_table(fetched) -> None:
    root, results = fetched
    expected = {d.name for d in plugins.registered_datasets() if not d.optional}
    assert set(results) == expected
    for d in plugins.registered_datasets():
        if d.optional:
            continue
        statuses = dict(results[d.name])
        for f in d.files:
            assert statuses[f.path] == ("downloaded" if f.url else "derived"), f.path
    shipped = [d for d in plugins.registered_datasets() if not d.optional]
    rows = datasets.status(root, shipped)
    assert all(r["present"] and r["checksum_ok"] for r in rows)
    again = datasets.fetch_all(plugins.registered_datasets(), root, mirror="file:///nowhere/")
    assert {s for done in again.values() for _, s in done} == {"present"}  # nothing re-read


def _frame(path: Path) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(gzip.decompress(path.read_bytes())), sep="\t")


def test_derived_files_equal_the_shipped_data_directory(fetched, data_dir: Path) -> None:
    root, _ = fetched
    compared = 0
    for d in plugins.registered_datasets():
        for f in d.files:
            ours, shipped = root / d.folder / f.path, data_dir / d.folder / f.path
            if not shipped.is_file():
                continue
            compared += 1
            if f"{d.folder}/{f.path}" != SUMMARY:
                assert ours.read_bytes() == shipped.read_bytes(), f.path
                continue
            # The one table whose floats are rounded: equal to 1e-12, text columns identical.
            a, b = _frame(ours), _frame(shipped)
            assert list(a.columns) == list(b.columns) and len(a) == len(b) == 2250
            numeric = a.select_dtypes("number").columns
            np.testing.assert_allclose(a[numeric], b[numeric], rtol=0, atol=1e-12)
            text = a.columns.difference(numeric)
            assert a[text].equals(b[text])
            assert datasets.sha256_of(shipped) in f.accept  # the shipped copy stays valid
    assert compared >= 20


@pytest.mark.slow
def test_every_real_task_loads_from_the_fetched_directory(fetched, monkeypatch) -> None:
    root, _ = fetched
    monkeypatch.setenv("RSBENCH_DATA_DIR", str(root))
    registry = plugins.current().registry
    loaded = []
    for entry in registry.entries("task"):
        data = entry.info.get("data")
        fetched_names = {d.name for d in plugins.registered_datasets() if not d.optional}
        if data in (None, "user") or data not in fetched_names:
            continue
        task = registry.create("task", entry.name)
        domains = getattr(task, "domains", ()) or (None,)
        for domain in domains:
            part = task.load(domain) if domain is not None else task.load()
            assert len(part) > 0, (entry.name, domain)
        loaded.append(entry.name)
    assert {"mpra_hepg2", "mpra_wtc11", "sharpr_pilot", "dream_yeast", "kircher_satmut"} <= set(loaded)


def test_an_accepted_older_copy_is_fetched_and_anything_else_refused(tmp_path: Path) -> None:
    old, new = b"x\t0.123456789012345\n", b"x\t0.123456789012\n"
    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror/t.tsv").write_bytes(old)
    pinned = DataFile("t.tsv", hashlib.sha256(new).hexdigest(), len(new), accept=(hashlib.sha256(old).hexdigest(),))
    ds = Dataset("acc", "acc", "t", (pinned,))
    data = tmp_path / "data"
    assert datasets.fetch(ds, data, url=(tmp_path / "mirror/t.tsv").as_uri()) == [("t.tsv", "downloaded")]
    assert datasets.status(data, [ds])[0]["checksum_ok"] is True
    (tmp_path / "mirror/t.tsv").write_bytes(b"neither\n")
    other = tmp_path / "other"
    with pytest.raises(DataError, match="checksum mismatch for t.tsv"):
        datasets.fetch(ds, other, url=(tmp_path / "mirror/t.tsv").as_uri())
    assert _files(other) == [] if other.exists() else True
