"""code_agreement: the machine's coding against the reviewer's, counted by hand on the small run.

The run (conftest `machine_run`), codes in codebook order equity, privacy, good:
  a.txt  unit 0 "Privacy first."              machine {privacy}
         unit 1 "Then fairness and privacy."  machine {equity (fairness), privacy}
  c.txt  unit 0 "equity matters."             machine {equity}
         unit 1 "Tech for good too."          machine {good}
"""

import math

import pytest
from conftest import Desk
from sklearn.metrics import cohen_kappa_score

from pipeline.review.apply import apply_review
from pipeline.review.machine_agreement import AGREEMENT_COLUMNS, code_agreement, fully_reviewed_files
from pipeline.review.reviewed_workbook import read_reviewed
from pipeline.runfolder.recode import recode_run


def agreement(run, tmp_path, edit):
    desk = Desk(run / "codebook.xlsx")
    edit(desk)
    review = read_reviewed(desk.save(tmp_path / "reviewed.xlsx"))
    recoded = recode_run(review.manifest, review.path, None, 1)
    applied = apply_review(review, recoded)
    return code_agreement(applied, recoded).set_index("code"), applied, recoded


def full_review(d):
    """Every machine row decided, one passage added; the reviewed coding:
    a0 {privacy}, a1 {equity, good}, c0 {privacy}, c1 {good}."""
    d.set("a.txt", "Privacy", decision="accept")
    d.set("a.txt", "fairness", decision="accept")
    d.set("a.txt", "privacy", decision="reject")
    d.set("c.txt", "equity", recode_to="privacy")
    d.set("c.txt", "Tech for good", decision="accept")
    d.add(source_file="a.txt", line=1, code="good", matched_text="Then", decision="add")


# unit×code vectors over a0, a1, c0, c1, from the table in the module docstring and full_review
MACHINE = {"equity": [0, 1, 1, 0], "privacy": [1, 1, 0, 0], "good": [0, 0, 0, 1]}
REVIEWER = {"equity": [0, 1, 0, 0], "privacy": [1, 0, 1, 0], "good": [0, 1, 0, 1]}


def counts(row):
    return tuple(int(row[k]) for k in ("reviewed", "accepted", "rejected", "recoded", "added", "unreviewed"))


def test_columns_are_one_row_per_code_then_overall(machine_run, tmp_path):
    table, _, _ = agreement(machine_run, tmp_path, full_review)
    assert list(table.reset_index().columns) == AGREEMENT_COLUMNS
    assert list(table.index) == ["equity", "privacy", "good", "overall"]


def test_counts_per_code_are_the_desks_decisions(machine_run, tmp_path):
    table, _, _ = agreement(machine_run, tmp_path, full_review)
    # equity: fairness accepted, c's equity recoded away; privacy: Privacy accepted, privacy rejected;
    # good: Tech for good accepted, "Then" added
    assert counts(table.loc["equity"]) == (2, 1, 0, 1, 0, 0)
    assert counts(table.loc["privacy"]) == (2, 1, 1, 0, 0, 0)
    assert counts(table.loc["good"]) == (1, 1, 0, 0, 1, 0)
    assert counts(table.loc["overall"]) == (5, 3, 1, 1, 1, 0)


def test_precision_is_accepted_over_reviewed(machine_run, tmp_path):
    table, _, _ = agreement(machine_run, tmp_path, full_review)
    # equity 1/2, privacy 1/2, good 1/1, overall 3/5
    assert list(table.precision) == [0.5, 0.5, 1.0, 0.6]


def test_recall_counts_added_and_recoded_in_passages_as_missed(machine_run, tmp_path):
    table, _, _ = agreement(machine_run, tmp_path, full_review)
    # equity 1/(1 accepted), privacy 1/(1 + 1 recoded into it), good 1/(1 + 1 added),
    # overall 3/(3 + 1 added + 1 recoded into)
    assert list(table.recall) == [1.0, 0.5, 0.5, 0.6]


def test_kappa_per_code_matches_hand_count(machine_run, tmp_path):
    table, _, _ = agreement(machine_run, tmp_path, full_review)
    # equity: agree 3/4; machine ones 2/4, reviewer 1/4 → pe = .5·.25 + .5·.75 = .5 → (.75 − .5)/.5 = .5
    # privacy: agree 2/4; both 2/4 ones → pe = .5 → 0
    # good: agree 3/4; machine 1/4, reviewer 2/4 ones → pe = .25·.5 + .75·.5 = .5 → .5
    assert table.loc["equity", "kappa"] == pytest.approx(0.5)
    assert table.loc["privacy", "kappa"] == pytest.approx(0.0)
    assert table.loc["good", "kappa"] == pytest.approx(0.5)
    for code in MACHINE:
        assert table.loc[code, "kappa"] == pytest.approx(cohen_kappa_score(MACHINE[code], REVIEWER[code]), abs=1e-12)


def test_overall_kappa_pools_every_unit_and_code(machine_run, tmp_path):
    table, _, _ = agreement(machine_run, tmp_path, full_review)
    # 12 cells; agree 3 + 2 + 3 = 8 → po = 2/3; 5 ones each → pe = (5/12)² + (7/12)² = 74/144
    # kappa = (96/144 − 74/144)/(70/144) = 22/70 = 11/35
    overall = table.loc["overall"]
    assert overall.kappa == pytest.approx(11 / 35)
    machine = [v for code in MACHINE for v in MACHINE[code]]
    reviewer = [v for code in REVIEWER for v in REVIEWER[code]]
    assert overall.kappa == pytest.approx(cohen_kappa_score(machine, reviewer), abs=1e-12)
    assert (overall.kappa_units, overall.files_fully_reviewed) == (12, 2)


def test_file_with_a_deleted_row_is_left_out_of_kappa(machine_run, tmp_path):
    def edit(d):
        full_review(d)
        d.delete("c.txt", "Tech for good")
    table, applied, recoded = agreement(machine_run, tmp_path, edit)
    assert fully_reviewed_files(applied, recoded) == ["a.txt"]
    # a.txt only: 2 units × 3 codes; equity [0,1] v [0,1], privacy [1,1] v [1,0], good [0,0] v [0,1]
    # agree 4/6; machine 3/6 ones, reviewer 3/6 → pe = .5 → (2/3 − 1/2)/(1/2) = 1/3
    overall = table.loc["overall"]
    assert (overall.kappa_units, overall.files_fully_reviewed) == (6, 1)
    assert overall.kappa == pytest.approx(1 / 3)
    assert table.loc["equity", "kappa"] == 1.0
    assert counts(table.loc["good"]) == (0, 0, 0, 0, 1, 1)       # the deleted row is unreviewed


def test_undecided_code_has_no_precision(machine_run, tmp_path):
    table, _, _ = agreement(machine_run, tmp_path, lambda d: d.set("a.txt", "Privacy", decision="accept"))
    assert math.isnan(table.loc["good", "precision"]) and math.isnan(table.loc["good", "recall"])
    assert table.loc["privacy", "precision"] == 1.0


def test_unreviewed_desk_has_no_kappa_units(machine_run, tmp_path):
    table, _, _ = agreement(machine_run, tmp_path, lambda d: None)
    overall = table.loc["overall"]
    assert (overall.unreviewed, overall.reviewed, overall.kappa_units, overall.files_fully_reviewed) == (5, 0, 0, 0)
    assert math.isnan(overall.kappa) and math.isnan(overall.precision)


def test_code_one_category_in_both_codings_has_no_kappa(machine_run, tmp_path):
    def edit(d):
        d.set("a.txt", "Privacy", decision="accept")
        d.set("a.txt", "fairness", decision="accept")
        d.set("a.txt", "privacy", decision="accept")
    table, _, _ = agreement(machine_run, tmp_path, edit)
    # a.txt fully reviewed, all accepted: good is [0,0] and privacy [1,1] in both codings — one category,
    # kappa undefined (NaN), even though the codings agree; equity [0,1] in both → 1
    assert math.isnan(table.loc["good", "kappa"]) and math.isnan(table.loc["privacy", "kappa"])
    assert table.loc["equity", "kappa"] == 1.0
