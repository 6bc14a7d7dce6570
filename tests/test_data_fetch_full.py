"""Optional full-size datasets: MD5-pinned downloads and the K562 lentiMPRA task.

The full tables cannot be downloaded here; their parsing is tested on a small table
written in the layout the publisher describes (MPRA-MNIST's Agarwal README).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from regshift_bench import datasets, plugins, tasks
from regshift_bench.api import DataFile, Dataset
from regshift_bench.errors import DataError
from rsbench_mpra import full

ROOT = Path(__file__).resolve().parents[1]
rng = np.random.default_rng(7)
HEADER = "seq_id\tchromosome\tstart\tend\tstrand\tseq\texpression\taveraged_expression\tfold\n"


def _element() -> str:
    return "".join(rng.choice(list("ACGT"), 200))


def _rc(seq: str) -> str:
    return seq.translate(str.maketrans("ACGT", "TGCA"))[::-1]


def _agarwal_table(path: Path, elements: int = 6) -> list[str]:
    """Both orientations of ``elements`` elements, in the publisher's column layout."""
    lines, seqs = [HEADER], []
    for i in range(elements):
        fwd = _element()
        for strand, seq, value in (("+", fwd, 0.1 * i), ("-", _rc(fwd), 0.1 * i - 0.5)):
            suffix = "F" if strand == "+" else "R"
            name = f"ENSG{i:011d}_{suffix}" if i == 0 else f"seq{i}_{suffix}"
            lines.append(
                f"{name}\t{i + 1}\t{1000 * i}\t{1000 * i + 200}\t{strand}\t{seq}\t"
                f"{value}\t{0.1 * i - 0.25}\t{i % 10 + 1}\n"
            )
            seqs.append(seq)
    path.write_text("".join(lines))
    return seqs


def test_full_datasets_are_optional_and_pinned_by_the_publishers_md5() -> None:
    assert set(full.FULL_DATASETS) <= {d.name for d in plugins.registered_datasets()}
    for d in full.FULL_DATASETS.values():
        assert d.optional and d.fetchable and "doi:" in d.citation
        for f in d.files:
            assert f.sha256 is None and len(f.md5 or "") == 32
            assert f.url and f.url.startswith("https://zenodo.org/records/")
    k562 = full.FULL_DATASETS["lentimpra_full"].file("Agarwal_K562.tsv")
    assert k562.md5 == "27e61525d4344da4d40f60cceadb6069"  # FULL_DATASETS.tsv, as published
    assert datasets.fetch_all(list(full.FULL_DATASETS.values()), Path("/nonexistent")) == {}


def test_an_md5_pinned_file_is_fetched_verified_and_refused_when_different(tmp_path) -> None:
    body = b"seq\tvalue\nACGT\t1.0\n"
    served = tmp_path / "mirror" / "zenodo.org" / "records" / "1" / "files"
    served.mkdir(parents=True)
    (served / "t.tsv").write_bytes(body)
    good = Dataset(
        "md5set",
        "full/md5set",
        "t",
        (
            DataFile(
                "t.tsv",
                None,
                len(body),
                "https://zenodo.org/records/1/files/t.tsv?download=1",
                md5=hashlib.md5(body).hexdigest(),
            ),
        ),
        optional=True,
    )
    mirror = (tmp_path / "mirror").as_uri()
    data = tmp_path / "data"
    assert datasets.fetch(good, data, mirror=mirror) == [("t.tsv", "downloaded")]
    assert datasets.status(data, [good])[0]["checksum_ok"] is True
    bad = Dataset(
        "md5bad",
        "full/md5bad",
        "t",
        (DataFile("t.tsv", None, 0, "https://zenodo.org/records/1/files/t.tsv", md5="0" * 32),),
    )
    with pytest.raises(DataError, match="checksum mismatch for t.tsv.*md5"):
        datasets.fetch(bad, data, mirror=mirror)
    assert not (data / "full/md5bad").exists()


def test_read_agarwal_adds_adapters_orientation_pairs_and_loci(tmp_path) -> None:
    seqs = _agarwal_table(tmp_path / "Agarwal_K562.tsv")
    frame = full.read_agarwal(tmp_path / "Agarwal_K562.tsv")
    assert len(frame) == 12
    assert all(c == full.ADAPTER_5 + s + full.ADAPTER_3 for c, s in zip(frame["construct"], seqs))
    assert frame["orientation"].tolist()[:2] == ["forward", "reverse"]
    assert frame["element_class"].tolist()[:3] == ["promoter", "promoter", "enhancer_candidate"]
    assert frame["pair_key"].nunique() == 6 and frame["locus"].nunique() == 6
    assert (frame.groupby("locus")["pair_key"].nunique() == 1).all()


@pytest.mark.parametrize(
    "edit,message",
    [
        (lambda t: t.replace("\tfold\n", "\tfolds\n"), "fold"),
        (lambda t: t.replace("\t+\t", "\t.\t", 1), "strand '.'"),
        (lambda t: t.replace("ACGT", "ACG", 1), "nt"),
    ],
)
def test_read_agarwal_refuses_another_layout_in_one_line(tmp_path, edit, message) -> None:
    path = tmp_path / "Agarwal_K562.tsv"
    _agarwal_table(path)
    path.write_text(edit(path.read_text()))
    with pytest.raises(DataError, match=message) as info:
        full.read_agarwal(path)
    assert "\n" not in str(info.value)


def test_k562_task_loads_the_full_table_with_its_orientation_ceiling(tmp_path, monkeypatch):
    folder = tmp_path / full.FULL_DATASETS["lentimpra_full"].folder
    folder.mkdir(parents=True)
    _agarwal_table(folder / "Agarwal_K562.tsv", elements=40)
    monkeypatch.setenv("RSBENCH_DATA_DIR", str(tmp_path))
    task = plugins.get_plugin("task", "mpra_k562")
    data = task.load()
    assert len(data) == 80 and data.seq_len == 230 and task.domains == ("K562",)
    # Each construct's partner is the other orientation of the same element.
    expected = np.repeat(np.arange(40) * 0.1, 2) + np.tile([-0.5, 0.0], 40)
    np.testing.assert_allclose(data.meta["partner_y"], expected)
    scores = task.score("test_id", data, None)
    r = np.corrcoef(data.y, data.meta["partner_y"])[0, 1]
    assert scores["orientation_ceiling_pearson"] == pytest.approx(r)
    with pytest.raises(DataError, match="unknown domain"):
        task.load("HepG2")


def test_the_k562_suite_file_runs_only_with_the_full_preset() -> None:
    suite = tasks.load_suite(ROOT / "docs" / "examples" / "mpra_k562_full.toml")
    assert [t.task for t in suite.tasks] == ["mpra_k562"] and set(suite.presets) == {"full"}
    shipped = {t.task for s in tasks.shipped_suites() for t in s.tasks}
    assert "mpra_k562" not in shipped  # no shipped suite (and so no other preset) runs it
