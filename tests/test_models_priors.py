"""Priors: GC/CpG features by hand, motif occupancy and panels, prior_ridge, k-mer counting."""

from __future__ import annotations

import json

import numpy as np
import pytest

from regshift_bench import get_plugin
from regshift_bench.api import SeqDataset
from regshift_bench.errors import DataError
from regshift_bench.motifs import MotifSet, builtin_motifs
from regshift_bench.motifs.calibrate import trimmed
from regshift_bench.plan import expand
from regshift_bench.tasks import shipped_suites
from regshift_bench.testing import check_model, check_prior, toy_dataset
from rsbench_models import GCPrior, MotifPrior, motif_panels
from rsbench_models.kmers import kmer_counts


def test_gc_features_match_hand_computation() -> None:
    data = SeqDataset.from_strings(["ACGCGTNN", "AAAA", "CGCG"], [0.0, 0.0, 0.0])
    f = GCPrior().fit(data).features(data)
    assert f.shape == (3, 3) and f.dtype == np.float32
    # ACGCGT: 6 called bases, C=2 G=2, CpG at 1-2 and 3-4 -> 2 of 5 dinucleotides.
    np.testing.assert_allclose(f[0], [4 / 6, 2 / 5, 2 * 6 / (2 * 2)], rtol=1e-6)
    np.testing.assert_allclose(f[1], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(f[2], [1.0, 2 / 3, 2 * 4 / (2 * 2)], rtol=1e-6)


def _with_motifs(data: SeqDataset, names: list[str]) -> SeqDataset:
    return data.with_values(info={"motifs": builtin_motifs().select(names)})


def test_motif_prior_oracle_uses_task_motifs_and_has_two_features_per_motif() -> None:
    train = _with_motifs(toy_dataset(20, 60, 1), ["GATA", "AP1", "CTCF"])
    prior = MotifPrior(source="oracle", scaling="none").fit(train)
    f = prior.features(train)
    assert f.shape == (20, 6) and np.isfinite(f).all() and prior.n_features == 6
    assert (f[:, :3] <= 1.0).all() and (f[:, 3:] >= f[:, :3] - 1e-6).all()  # sum >= max
    assert prior.get_params()["chosen"]["database"] == "simulator (oracle)"


def test_planting_a_motif_raises_its_max_occupancy() -> None:
    rng = np.random.default_rng(0)
    codes = rng.choice(4, size=(30, 80)).astype(np.uint8)
    base = _with_motifs(SeqDataset(codes, np.zeros(30)), ["AP1", "CREB"])
    planted = codes.copy()
    planted[:, 30:37] = [3, 2, 0, 1, 3, 1, 0]  # TGACTCA, an AP-1 site
    prior = MotifPrior(source="oracle", scaling="none").fit(base)
    before = prior.features(base)
    after = prior.features(SeqDataset(planted, np.zeros(30)))
    # At pvalue 1e-4 a 7-bp matrix's threshold sits near its consensus score (only a
    # few of the 16,384 7-mers reach it), so a perfect site is about half occupied,
    # far above any chance site.
    assert (after[:, 0] >= before[:, 0]).all() and after[:, 0].min() > 0.45
    assert after[:, 0].min() > 5 * np.median(before[:, 0])
    assert np.median(before[:, 0]) < 0.5
    assert (after[:, 2] > before[:, 2]).all()  # summed occupancy of AP1 rises too


def test_motif_prior_state_roundtrip_and_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RSBENCH_DATA_DIR", raising=False)
    data = toy_dataset(10, 50, 1)
    prior = MotifPrior().fit(data)  # no task motifs, no data dir -> built-in set
    assert prior.motifs_.names == builtin_motifs().names
    assert prior.chosen_["database"].startswith("builtin (")  # no data at hand
    fresh = MotifPrior()
    fresh.set_state(prior.get_state())
    np.testing.assert_array_equal(fresh.features(data), prior.features(data))
    assert fresh.get_params()["chosen"] == prior.get_params()["chosen"]


def _info(data: SeqDataset, **info: str) -> SeqDataset:
    return data.with_values(info=info)


def test_motif_prior_chooses_database_and_panel_from_organism_and_cell_type(data_dir) -> None:
    data = toy_dataset(30, 60, 1)
    yeast = MotifPrior().fit(_info(data, organism="yeast"))
    assert yeast.chosen_["database"] == "jaspar_fungi" and yeast.chosen_["panel"] == "yeast"
    assert {"REB1", "ABF1", "RAP1"} <= set(yeast.motifs_.names)
    assert "jaspar_fungi" in json.dumps(yeast.get_params())  # visible in model_params
    expect = {
        "HepG2": {"HNF1A", "HNF4A", "FOXA2", "CEBPA"},
        "K562": {"GATA1", "KLF1", "NFE2"},
        "WTC11": {"POU5F1", "SOX2", "KLF4"},
    }
    for cell, tfs in expect.items():
        p = MotifPrior().fit(_info(data, organism="human", cell_type=cell))
        assert p.chosen_["database"] == "jaspar_vertebrates" and p.chosen_["panel"] == cell
        assert tfs <= {n.upper() for n in p.motifs_.names}
        assert {n.upper() for n in motif_panels.HUMAN_CORE} <= {n.upper() for n in p.motifs_.names}
    # parameters override the automatic choice
    p = MotifPrior(names=("HNF4A", "CTCF")).fit(_info(data, organism="human", cell_type="K562"))
    assert p.motifs_.names == ("HNF4A", "CTCF") and p.chosen_["panel"] == "names"
    with pytest.raises(DataError, match="HNF4A"):  # a yeast task reads the fungi file
        MotifPrior(names=("HNF4A",)).fit(_info(data, organism="yeast"))
    p = MotifPrior(database="hocomoco", panel="K562").fit(_info(data, organism="human"))
    assert p.chosen_["database"] == "hocomoco" and "GATA1" in p.motifs_.names
    with pytest.raises(DataError, match="unknown panel"):
        MotifPrior(panel="liver").fit(data)


def test_robust_scaling_keeps_test_rows_in_the_training_range(data_dir) -> None:
    rng = np.random.default_rng(0)
    train = _info(SeqDataset(rng.choice(4, size=(200, 110)).astype(np.uint8), np.zeros(200)), organism="yeast")
    # A test row made of repeated REB1 sites (TTACCCG): far more sites than any train row.
    crowded = SeqDataset.from_strings(["TTACCCGG" * 13 + "A" * 6], [0.0])
    robust = MotifPrior().fit(train)
    raw = MotifPrior(scaling="none").fit(train)
    f_train, f_test = robust.features(train), robust.features(crowded)
    assert f_train.min() >= 0.0 and f_train.max() <= 1.0
    assert f_test.min() >= 0.0 and f_test.max() <= 1.0  # cannot leave the training range
    m = len(raw.motifs_)
    reb1 = list(raw.motifs_.names).index("REB1")
    # without it the summed occupancy of the crowded row is far beyond training's
    assert raw.features(crowded)[0, m + reb1] > 3 * raw.features(train)[:, m + reb1].max()


def _sim_train() -> SeqDataset:
    task = get_plugin("task", "sim")
    return task.sample(task.config(), 64, np.random.default_rng(0))


def _assert_independent(prior: MotifPrior, sim: MotifSet) -> None:
    for mine in prior.motifs_:
        for theirs in sim:
            assert not (mine.pwm.shape == theirs.pwm.shape and np.allclose(mine.pwm, theirs.pwm, atol=1e-3)), (
                mine.name,
                theirs.name,
            )
    decoys = [n for n in prior.motifs_.names if n not in prior.chosen_["names"][: len(sim)]]
    assert len(prior.motifs_) > len(sim) - 2 and decoys


def test_sim_prior_reads_independent_matrices_with_decoys(data_dir) -> None:
    train = _sim_train()
    sim = train.info["motifs"]
    prior = MotifPrior().fit(train)
    assert prior.chosen_["database"] in ("hocomoco", "jaspar_vertebrates")
    _assert_independent(prior, sim)
    assert set(motif_panels.DECOYS) & set(prior.motifs_.names)  # decoys the simulator lacks
    assert not set(motif_panels.DECOYS) & {motif_panels.to_hocomoco(n) for n in sim.names}


def test_sim_prior_without_data_is_still_not_the_simulators(monkeypatch) -> None:
    monkeypatch.delenv("RSBENCH_DATA_DIR", raising=False)
    train = _sim_train()
    prior = MotifPrior().fit(train)
    assert prior.chosen_["database"].startswith("builtin (specificity")
    _assert_independent(prior, train.info["motifs"])
    oracle = MotifPrior(source="oracle").fit(train)
    # The oracle rung scans the simulator's own matrices, low-information flanks trimmed.
    assert oracle.motifs_ == trimmed(train.info["motifs"], oracle.trim_bits)
    assert oracle.motifs_ != MotifPrior(source="database").fit(train).motifs_


def test_prior_ridge_is_registered_in_the_default_grid_and_conforms() -> None:
    suite = next(s for s in shipped_suites() if s.name == "sim")
    assert "prior_ridge" in suite.preset("standard").models
    plan = expand([suite], "quick")
    assert "prior_ridge" in {c.model for c in plan.cells}
    check_model("prior_ridge").raise_if_failed()


def test_prior_ridge_learns_from_prior_features(monkeypatch) -> None:
    monkeypatch.delenv("RSBENCH_DATA_DIR", raising=False)
    task = get_plugin("task", "sim")
    cfg = task.config()
    train = task.sample(cfg, 400, np.random.default_rng(1))
    test = task.sample(cfg, 200, np.random.default_rng(2))
    model = get_plugin("model", "prior_ridge").fit(train, train, rng=np.random.default_rng(0))
    pred = model.predict(test)
    assert np.corrcoef(pred.mean, test.y)[0, 1] > 0.2 and (pred.var > 0).all()
    assert "simulator TFs + decoys" in model.params_json()


@pytest.mark.parametrize("name", ["gc", "motif"])
def test_priors_pass_conformance(name: str) -> None:
    check_prior(name).raise_if_failed()


def test_canonical_kmer_counts() -> None:
    codes = SeqDataset.from_strings(["ACGTN", "AAAA"], [0.0, 0.0]).seqs
    f = kmer_counts(codes, (1, 2))
    assert f.shape == (2, 2 + 10)  # 10 canonical 2-mers (4 palindromes)
    np.testing.assert_array_equal(f[0, :2], [2, 2])  # A|T and C|G
    assert f[0, 2:].sum() == 3 and f[1, 2:].sum() == 3  # windows with N are skipped
    # The reverse complement has identical canonical counts.
    rc = SeqDataset(codes, np.zeros(2)).revcomp().seqs
    np.testing.assert_array_equal(kmer_counts(rc, (1, 2, 3)), kmer_counts(codes, (1, 2, 3)))
