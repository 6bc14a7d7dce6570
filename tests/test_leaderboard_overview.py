"""The overview across tasks, unscored tables left out, and fit diagnostics beside the tables."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from regshift_bench.leaderboard import build_leaderboard, publish
from regshift_bench.leaderboard.overview import prune, prune_boards
from regshift_bench.leaderboard.render_text import render_markdown
from regshift_bench.leaderboard.tables import Cell, Table
from regshift_bench.testing.synthetic_run import write_synthetic_run

SHIFTS = {"none": (0.0,), "gc_shift": (0.5, 1.0), "motif_loss": (1.0,)}
#: How each model's fits end in the run below (written into its result rows).
STOPS = {"cnn": ("max_steps", 4, 4), "bilstm": ("early_stopping", 9, 6)}
FIT_SECONDS = 12.5


def _add_fit_columns(run) -> None:
    """Write fit diagnostics into the run's results, as the runner does for iterative models."""
    path = run / "results.parquet"
    frame = pq.read_table(path).to_pandas()
    for col in ("stopped_by", "epochs_run", "best_epoch", "train_steps"):
        frame[col] = None
    for model, (stop, epochs, best) in STOPS.items():
        rows = frame["model"] == model
        frame.loc[rows, "stopped_by"] = stop
        frame.loc[rows, "epochs_run"] = epochs
        frame.loc[rows, "best_epoch"] = best
        frame.loc[rows, "train_steps"] = epochs * 10
        frame.loc[rows, "undertrained"] = epochs == best and stop == "max_steps"
    for col in ("epochs_run", "best_epoch", "train_steps"):
        frame[col] = frame[col].astype("Int64")
    # As the runner records it: the one cell that trained a model spent the fit time,
    # the cells reusing that model record 0 (listed first here, so "first" would be 0).
    frame["fit_seconds"] = 0.0
    cells = frame.drop_duplicates("cell").sort_values("cell")
    trained = cells.groupby(["task", "model", "seed", "model_key"])["cell"].last()
    frame.loc[frame["cell"].isin(trained), "fit_seconds"] = FIT_SECONDS
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A simulator task with its oracle and a real-data task, the mean control included."""
    out = write_synthetic_run(
        tmp_path_factory.mktemp("overview") / "run",
        tasks=("sim", "real"),
        seeds=2,
        n_test=60,
        models=("mean", "cnn", "bilstm"),
        references=("source_oracle",),
        shifts=SHIFTS,
        metrics=("mse", "pearson", "coverage_90", "z2"),
        per_cell_files=False,
    )
    _add_fit_columns(out)
    return out


@pytest.fixture(scope="module")
def lb(run):
    return build_leaderboard([run], n_boot=20)


def test_findings_then_overview_then_tasks_in_markdown(lb):
    text = render_markdown(lb)
    # No anchor names these tasks: the Anchors section is the line that counts them.
    anchors = "published anchor(s) for tasks not in this run"
    at = {h: text.index(h) for h in ("## Findings", "## Overview", "## real", "## sim", anchors)}
    assert at["## Findings"] < at["## Overview"] < min(at["## real"], at["## sim"])
    assert max(at["## real"], at["## sim"]) < at[anchors] and "## Anchors" not in text


def test_overview_measures_against_the_oracle_and_the_mean_control(lb):
    (table,) = lb.overview
    assert table.key == "overview" and "oracle" in table.title and "mean control" in table.title
    # Per task: its worst shift (largest severity) and the mean over its shifts.
    assert table.groups[1:] == ["sim · vs oracle"] * 2 + ["real · vs mean"] * 2
    assert table.columns[1].startswith("worst: ") and table.columns[2] == "mean of 2"
    assert table.columns[1].endswith("@1") and table.columns[3].endswith("@1")
    rows = {r[0].text: r[1:] for r in table.rows}
    assert [c.text for c in rows["mean"][2:]] == ["0.000 ± 0.000"] * 2  # the control itself
    assert all(float(c.text.split()[0]) < 0 for c in rows["cnn"][2:])  # a model beats it
    assert all(float(c.text.split()[0]) > 0 for c in rows["mean"][:2])  # worse than the oracle
    # The worst column is the shift where the learned models lose most beyond the oracle.
    vals = lb.agg.values.query(
        "task == 'sim' and metric == 'mse' and split == 'test_ood' and severity == 1.0 and model in ['cnn', 'bilstm']"
    )
    refs = lb.agg.references.query(
        "task == 'sim' and metric == 'mse' and split == 'test_ood' and severity == 1.0"
    ).set_index("shift")["mean"]
    beyond = {f"{shift} @1": float((part["mean"] - refs[shift]).sum()) for shift, part in vals.groupby("shift")}
    assert table.columns[1] == f"worst: {max(beyond, key=beyond.get)}"


def test_prune_drops_unscored_columns_rows_and_tables():
    def row(name, *texts):
        return [Cell(name), *(Cell(t, "", "n/a") if t in ("n/a", "not scored") else Cell(t) for t in texts)]

    table = Table(
        "accuracy",
        "t",
        "Accuracy",
        ["model", "a", "b", "c"],
        [
            row("cnn", "0.5", "not scored", "n/a"),
            row("mean", "n/a", "not scored", "n/a"),
            row("odd", "n/a", "not scored", "n/a"),
        ],
        groups=["", "x", "y", "z"],
    )
    pruned = prune(table, frozenset({"mean"}))
    assert pruned is not None and pruned.columns == ["model", "a"] and pruned.groups == ["", "x"]
    assert [r[0].text for r in pruned.rows] == ["cnn", "mean"]  # the control stays
    assert any("b, c" in n for n in pruned.notes) and any("odd" in n for n in pruned.notes)
    empty = Table("other", "t", "Other", ["model", "a"], [row("cnn", "not scored")])
    assert prune(empty) is None
    ranks = Table("robustness", "t", "Robustness", ["rank", "model"], [row("1", "n/a")])
    assert prune(ranks) is ranks  # not a model × condition table: left as it is
    # a reference row's dash (a published value only on some splits) is no score either
    ref = [Cell("published", "", "reference"), Cell("—", "", "reference"), Cell("0.51", "", "reference")]
    other = Table("other", "t", "Other", ["model", "ID", "F9"], [row("cnn", "not scored", "0.23"), ref])
    assert prune(other).columns == ["model", "F9"]


def test_unscored_tables_are_left_out_and_named(lb):
    for board in lb.boards:  # no selective metric was recorded: that table is omitted
        keys = [t.key for t in board.tables]
        assert "selective" not in keys and "calibration" in keys
        assert any("Selective prediction" in n for n in board.tables[0].notes)


def test_fit_diagnostics_published_and_starved_model_shown(lb, tmp_path):
    publish(lb, tmp_path / "site", plots=False)
    fits = pd.read_csv(tmp_path / "site" / "fit_diagnostics.csv")
    assert set(pq.read_schema(tmp_path / "site" / "fit_diagnostics.parquet").names) >= {
        "stopped_by",
        "best_epoch",
        "train_steps",
        "epochs_run",
        "undertrained",
    }
    # One row per task, model, seed and training set.
    assert len(fits) == len(fits.drop_duplicates(["task", "model", "seed", "model_key"])) == 12
    cnn = fits.loc[fits["model"] == "cnn"]
    assert set(cnn["stopped_by"]) == {"max_steps"} and cnn["undertrained"].all()
    assert (fits["fit_seconds"] == FIT_SECONDS).all()  # the training cell's, not a reuser's 0
    for board in lb.boards:
        training = next(t for t in board.tables if t.key == "training")
        verdict = {r[0].text: r[-1] for r in training.rows}
        assert verdict["cnn"].text == "starved" and verdict["cnn"].flag == "collapse"
        assert verdict["bilstm"].text == "trained"
        assert verdict["mean"].text == "no fit report"
        assert any("starved" in n for n in training.notes)
    readme = (tmp_path / "site" / "README.md").read_text(encoding="utf-8")
    assert "### Training" in readme and "**starved ⚠**" in readme
    assert any("Starved" in n and "cnn" in n for n in lb.boards[0].tables[0].notes)
    names = {r[0].text: r[0] for r in lb.overview[0].rows}
    assert names["cnn"].flag == "collapse" and "starved" in names["cnn"].sub
    assert names["bilstm"].flag == "" and "starved" not in names["bilstm"].sub


def test_a_prior_effect_without_pairs_is_left_out_and_said_in_one_line(lb):
    # mean, cnn and bilstm: no base+prior model with its base.
    for board in lb.boards:
        assert "prior" not in [t.key for t in board.tables]
        lines = [n for t in board.tables for n in t.notes if n.startswith("Not shown")]
        assert len(lines) == 1 and lines[0] in board.tables[0].notes
        assert "Prior effect (no base+prior model with its base in these runs)" in lines[0]
    assert "Prior effect" not in render_markdown(lb).replace(lines[0], "")


def test_interpretation_and_robustness_with_nothing_scored_are_left_out():
    na = Cell("n/a", "not applicable", "n/a")

    def interp(cell):
        return Table(
            "interpretation",
            "t",
            "Interpretation: do explanations find the sites?",
            ["model", "explainer", "ID"],
            [[Cell("cnn"), Cell("ism"), cell]],
        )

    def robust(score):
        return Table(
            "robustness",
            "t",
            "Robustness summary",
            ["rank", "model", "score"],
            [
                [Cell("—"), Cell("cnn", "not ranked", "incomplete"), Cell(score)],
                [Cell("—"), Cell("oracle", "reference", "reference"), Cell("1.000")],
            ],
        )

    acc = Table("accuracy", "t", "Accuracy — pearson", ["model", "none (ID)"], [[Cell("cnn"), Cell("0.5")]])
    board = SimpleNamespace(task="t", tables=[acc, robust("—"), interp(na)])
    prune_boards(SimpleNamespace(boards=[board]), [])
    assert [t.key for t in board.tables] == ["accuracy"]
    assert board.tables[0].notes == [
        "Not shown, nothing scored on this task: Robustness "
        "summary (no model has a score), Interpretation (no explainer "
        "applies to these models)."
    ]
    kept = SimpleNamespace(task="t", tables=[robust("0.9"), interp(Cell("0.7"))])
    prune_boards(SimpleNamespace(boards=[kept]), [])
    assert [t.key for t in kept.tables] == ["robustness", "interpretation"]


def _interp_rows(model: str, status: str, metrics: dict[str, float]) -> list[dict]:
    base = {"task": "sim", "shift": "none", "severity": 0.0, "seed": 0, "split": "test_id", "n": 200}
    return [
        {**base, "model": model, "explainer": "grad_x_input", "metric": m, "value": v, "status": status, "error": ""}
        for m, v in metrics.items()
    ]


def test_interpretation_shows_signed_scores_and_leaves_out_pairs_that_never_apply():
    from regshift_bench.leaderboard.interpretation import interpretation_table

    scored = {"site_auroc": 0.81, "site_auprc": 0.4, "site_topk": 0.35, "site_sign_agreement": 0.9}
    rows = pd.DataFrame(
        _interp_rows("cnn", "ok", {**scored, "site_sign_auroc": 0.77})
        + _interp_rows("kmer_ridge", "skipped", dict.fromkeys(scored, float("nan")))
    )
    table = interpretation_table(rows, "sim")
    assert [r[0].text for r in table.rows] == ["cnn"]
    assert "sign agreement 0.900 · sign auROC 0.770" in table.rows[0][2].sub
    assert any("Left out" in note and "kmer_ridge" in note for note in table.notes)
    assert interpretation_table(rows.loc[rows["model"] == "kmer_ridge"], "sim") is None


def test_a_shift_the_plan_leaves_out_is_not_missing_and_ranks_over_shared_shifts(tmp_path):
    """bilstm, transformer and cnn+motif are never planned under motif_loss (run B holds
    only mean and cnn there): their cells read "not planned", they stay complete, and as
    gc_shift alone covers more models (5 x 1) than both shifts (2 x 2), all rank over it."""
    a = write_synthetic_run(
        tmp_path / "a",
        models=("mean", "cnn", "bilstm", "transformer", "cnn+motif"),
        shifts={"none": (0.0,), "gc_shift": (1.0,)},
        run_name="a",
    )
    b = write_synthetic_run(tmp_path / "b", models=("mean", "cnn"), shifts={"motif_loss": (1.0,)}, run_name="b")
    lb = build_leaderboard([a, b], n_boot=20, findings=False)
    board = lb.boards[0]
    accuracy = next(t for t in board.tables if t.key == "accuracy")
    col = next(i for i, c in enumerate(accuracy.columns) if c.startswith("motif_loss"))
    bilstm = next(r for r in accuracy.rows if r[0].text == "bilstm")
    assert (bilstm[col].text, bilstm[col].sub, bilstm[col].flag) == ("—", "not planned", "")
    assert bilstm[0].flag != "incomplete"
    robust = board.ranks.set_index("model")
    assert robust.loc[["bilstm", "transformer", "cnn"], "complete"].all()
    assert set(robust["n_conditions"]) == {1}
    table = next(t for t in board.tables if t.key == "robustness")
    assert any("motif_loss @1 (not run by bilstm, cnn+motif, transformer)" in note for note in table.notes)
    # the overview's mean over a task's shifts says when it covers fewer of them
    (overview,) = lb.overview
    means = {r[0].text: r[2] for r in overview.rows}
    assert overview.columns[2] == "mean of 2"
    assert means["bilstm"].sub == "over 1 of 2" and means["cnn"].sub == ""


def test_a_split_at_severity_zero_is_not_a_shift_of_the_overview(tmp_path):
    """``random`` @0 (a second held-out set of the same pool) is the floor, not a shift:
    it is never the overview's worst column nor part of its mean."""
    run = write_synthetic_run(
        tmp_path / "r",
        tasks=("real",),
        models=("mean", "cnn"),
        shifts={"none": (0.0,), "random": (0.0,), "gc_shift": (1.0,)},
        run_name="r",
    )
    (overview,) = build_leaderboard([run], n_boot=20, findings=False).overview
    assert overview.columns[1:] == ["worst: gc_shift @1", "mean of 1"]
