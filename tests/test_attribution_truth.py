"""Attribution ground truth follows the mechanism: binding, effect and sign per site."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regshift_bench import get_plugin
from regshift_bench.api import SeqDataset, SplitSizes
from regshift_bench.sites import MIN_EFFECT, MIN_OCCUPANCY, functional_sites, score_signs, score_sites, site_mask
from rsbench_sim.planting import Site

SIZES = SplitSizes(train=50, val=50, test=400)
#: Shift -> severity tested; site_degeneration at 1 leaves no planted site that binds.
SEVERITY = {"site_degeneration": 0.25, "pwm_perturbation": 1.0, "motif_rewiring": 1.0}
MECHANISM_SHIFTS = tuple(SEVERITY)


@pytest.fixture(scope="module")
def task():
    return get_plugin("task", "sim", seq_len=120, n_motifs=8)


@pytest.fixture(scope="module")
def splits(task):
    """Evaluation sets of ``none`` and of each mechanism shift (same seed)."""
    out = {"none": get_plugin("shift", "none").split(task, np.random.default_rng(0), SIZES)}
    for name in MECHANISM_SHIFTS:
        shift = get_plugin("shift", name, severity=SEVERITY[name])
        out[name] = shift.split(task, np.random.default_rng(0), SIZES)
    return {k: v.evaluation_sets() for k, v in out.items()}


def oracle_importance(data: SeqDataset) -> np.ndarray:
    """The simulator's own per-site contributions (occupancy x signed effect), spread
    evenly over each planted site's positions: a perfect explainer."""
    widths = {m.name: m.width for m in data.info["motifs"]}
    imp = np.zeros(data.seqs.shape)
    rows = zip(data.meta["sites"], data.meta["site_occupancy"], data.meta["site_effect"])
    for i, (sites, occ, eff) in enumerate(rows):
        for site, o, e in zip(sites, occ, eff):
            w = widths[site.tf]
            imp[i, site.start : site.start + w] += o * e / w
    return imp


def _truth(data: SeqDataset) -> set[tuple[int, int, int, int]]:
    return set(functional_sites(data))


def test_oracle_contributions_score_about_one_on_every_split(splits):
    for shift, sets in splits.items():
        for split, data in sets.items():
            if split in ("train", "val"):
                continue
            imp = oracle_importance(data)
            sites = functional_sites(data)
            assert len(sites) > 20, (shift, split)
            unsigned = score_sites(imp, site_mask(data))
            signed = score_signs(imp, sites)
            assert unsigned["site_auroc"] > 0.97, (shift, split, unsigned["site_auroc"])
            assert signed["site_sign_agreement"] == 1.0, (shift, split)
            if len({site.sign for site in sites}) == 2:  # auROC needs both kinds of site
                assert signed["site_sign_auroc"] > 0.97, (shift, split, signed["site_sign_auroc"])
            else:
                assert np.isnan(signed["site_sign_auroc"])


def test_negated_oracle_flips_only_the_signed_scores(splits):
    data = splits["none"]["test_id"]
    imp = -oracle_importance(data)
    sites = functional_sites(data)
    assert score_sites(imp, site_mask(data))["site_auroc"] > 0.97  # |importance| is unchanged
    signed = score_signs(imp, sites)
    assert signed["site_sign_agreement"] == 0.0 and signed["site_sign_auroc"] < 0.03


@pytest.mark.parametrize("shift", MECHANISM_SHIFTS)
def test_truth_of_test_ood_differs_from_none(splits, shift):
    """Same seed: ``test_ood`` of pwm_perturbation and motif_rewiring holds the very
    sequences of ``none``'s, so only the mechanism moves the truth."""
    base, moved = splits["none"]["test_ood"], splits[shift]["test_ood"]
    assert _truth(base) != _truth(moved)
    if shift != "site_degeneration":
        np.testing.assert_array_equal(base.seqs, moved.seqs)


def test_rewiring_flips_signs_but_keeps_binding(splits):
    base, moved = splits["none"]["test_ood"], splits["motif_rewiring"]["test_ood"]
    before = {(s.row, s.start, s.width): s.sign for s in functional_sites(base)}
    after = {(s.row, s.start, s.width): s.sign for s in functional_sites(moved)}
    common = before.keys() & after.keys()
    flipped = sum(before[k] != after[k] for k in common)
    assert len(common) > 0.8 * len(before) and flipped > 0.1 * len(common)
    # The source-domain oracle attributes with the old signs: sign agreement drops.
    imp = oracle_importance(base)
    assert score_signs(imp, functional_sites(moved))["site_sign_agreement"] < 0.9


def test_degenerate_sites_stop_binding(splits):
    def bound_fraction(data):
        occ = np.concatenate([np.asarray(o, dtype=float) for o in data.meta["site_occupancy"]])
        return float((occ >= MIN_OCCUPANCY).mean())

    assert bound_fraction(splits["site_degeneration"]["test_ood"]) < 0.5 * bound_fraction(splits["none"]["test_ood"])


def test_per_site_rule_needs_binding_and_effect():
    seqs = np.zeros((1, 40), dtype=np.uint8)
    meta = pd.DataFrame(
        {
            "sites": [[Site("A", 0, "+"), Site("A", 10, "+"), Site("B", 20, "-"), Site("B", 30, "+")]],
            "site_occupancy": [[0.9, 0.2, 0.8, 0.7]],
            "site_effect": [[1.0, 1.0, -0.5, MIN_EFFECT / 2]],
        }
    )
    data = SeqDataset(seqs, np.zeros(1), meta=meta)
    sites = functional_sites(data, widths=4)
    assert [(s.start, s.sign) for s in sites] == [(0, 1), (20, -1)]
    assert site_mask(data, widths=4)[0].nonzero()[0].tolist() == [0, 1, 2, 3, 20, 21, 22, 23]
    imp = np.zeros((1, 40))
    imp[0, 0:4], imp[0, 20:24] = 1.0, -1.0
    assert score_signs(imp, sites) == {"site_sign_agreement": 1.0, "site_sign_auroc": 1.0, "n_signed": 2}
    bad = SeqDataset(seqs, np.zeros(1), meta=meta.assign(site_effect=[[1.0]]))
    with pytest.raises(Exception, match="no value per site"):
        functional_sites(bad, widths=4)


def test_cooperative_gain_is_the_derivative_of_the_pair_term(task):
    """With one pair (a, b) of strength c: sum_p occ_a(p) * gain_a(p) equals the
    simulator's own pair term c * cooperative_occupancy, and likewise for b."""
    import torch

    from rsbench_sim.binding import cooperative_occupancy, occupancy_profile
    from rsbench_sim.site_truth import cooperative_gain

    config = task.config().changed(coop_pairs=((0, 2),), coop_strength=(2.0,))
    data = task.sample(config, 64, np.random.default_rng(1))
    occ = occupancy_profile(data.seqs, config.motifs, np.asarray(config.thresholds), config.binding_scale)
    gain = cooperative_gain(occ, config)
    term = 2.0 * cooperative_occupancy(occ, config.coop_pairs, config.coop_window)[:, 0]
    for j in (0, 2):
        torch.testing.assert_close((occ[:, j] * gain[:, j]).sum(dim=1), term, rtol=1e-4, atol=1e-4)
    assert float(gain[:, 1].abs().max()) == 0.0  # a TF in no pair gains nothing
