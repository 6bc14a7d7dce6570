"""Fetching through pooch over real HTTP (a local server), and the default data home."""

from __future__ import annotations

import functools
import hashlib
import http.server
import threading
from pathlib import Path

import pytest

from regshift_bench import datasets, paths
from regshift_bench.api import DataFile, Dataset
from regshift_bench.errors import DataError, DataMissingError


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_http_fetch_verifies_and_is_atomic(server, tmp_path):
    root, base = server
    body = b"ACGT\t1.0\n" * 500
    (root / "table.tsv").write_bytes(body)
    sha = hashlib.sha256(body).hexdigest()
    dest = tmp_path / "data" / "set" / "table.tsv"
    datasets.fetch_file(f"{base}/table.tsv", dest, sha)
    assert dest.read_bytes() == body
    with pytest.raises(DataError, match="checksum mismatch for other.tsv"):
        datasets.fetch_file(f"{base}/table.tsv", dest.with_name("other.tsv"), "1" * 64)
    with pytest.raises(DataError, match="cannot download gone.tsv.*HTTPError"):
        datasets.fetch_file(f"{base}/gone.tsv", dest.with_name("gone.tsv"), sha)
    assert sorted(p.name for p in dest.parent.iterdir()) == ["table.tsv"]  # nothing partial


def test_fetch_a_dataset_over_http_then_present(server, tmp_path):
    root, base = server
    files = {"a.tsv": b"a\n" * 10, "sub/b.tsv": b"b\n" * 20}
    for rel, body in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(body)
    ds = Dataset(
        "two",
        "assay/two",
        "two files",
        tuple(DataFile(rel, hashlib.sha256(b).hexdigest(), len(b), f"{base}/{rel}") for rel, b in files.items()),
    )
    data = tmp_path / "data"
    assert datasets.fetch(ds, data) == [("a.tsv", "downloaded"), ("sub/b.tsv", "downloaded")]
    assert datasets.fetch(ds, data) == [("a.tsv", "present"), ("sub/b.tsv", "present")]
    assert all(r["checksum_ok"] for r in datasets.status(data, [ds]))


def test_default_home_is_read_and_overridden(tmp_path, monkeypatch):
    monkeypatch.delenv("RSBENCH_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert paths.data_dir() == tmp_path / "xdg" / "regshift-bench" == paths.default_data_dir()
    assert paths.data_dir_source() == "default"
    monkeypatch.setenv("RSBENCH_DATA_DIR", "")  # empty counts as unset
    assert paths.data_dir() == paths.default_data_dir()
    monkeypatch.setenv("RSBENCH_DATA_DIR", str(tmp_path / "env"))
    assert paths.data_dir() == tmp_path / "env" and paths.data_dir_source() == "RSBENCH_DATA_DIR"
    paths.set_data_dir(tmp_path / "flag")
    try:
        assert paths.data_dir() == tmp_path / "flag" and paths.data_dir_source() == "--data-dir"
    finally:
        paths.set_data_dir(None)


def test_locate_names_the_dataset_and_its_command(tmp_path, monkeypatch):
    monkeypatch.setenv("RSBENCH_DATA_DIR", str(tmp_path))
    ds = Dataset("pub", "assay/pub", "public", (DataFile("x.tsv", "0" * 64, 1, "https://e/x"),))
    with pytest.raises(DataMissingError) as info:
        datasets.locate(ds, "x.tsv")
    assert info.value.dataset == "pub" and info.value.fix == "rsbench data fetch pub"
    assert str(tmp_path / "assay/pub/x.tsv") in str(info.value)
    derived = Dataset("der", "assay/der", "derived", (DataFile("y.tsv", "0" * 64, 1),))
    with pytest.raises(DataMissingError) as info:
        datasets.locate(derived, "y.tsv")
    assert info.value.fix == "rsbench data fetch der --url <mirror of assay/der/>"


def test_data_fetch_fills_the_default_home(tmp_path, monkeypatch, server):
    from typer.testing import CliRunner

    from regshift_bench.cli.main import app

    root, base = server
    (root / "counts.tsv").write_bytes(b"seq\tactivity\nACGTACGTAC\t1.5\nTTGACAGGCA\t-0.25\n")
    monkeypatch.delenv("RSBENCH_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    result = CliRunner().invoke(
        app, ["--plugin", "plugins.toy_dataset", "data", "fetch", "toy_counts", "--url", f"{base}/counts.tsv"]
    )
    assert result.exit_code == 0, result.output
    home = Path(tmp_path / "xdg" / "regshift-bench")
    assert (home / "toy/counts/counts.tsv").is_file()
    from plugins.toy_dataset import TOY_COUNTS

    assert datasets.locate(TOY_COUNTS, "counts.tsv") == home / "toy/counts/counts.tsv"
