"""compare_reviewers: two reviews of the small run, their agreement counted by hand."""

import math

import pytest
from conftest import Desk
from sklearn.metrics import cohen_kappa_score

from pipeline.review.reviewed_workbook import read_reviewed
from pipeline.review.reviewer_agreement import compare_reviewers, verdict
from pipeline.runfolder.recode import recode_run
from pipeline.stats.agreement import BETWEEN_COLUMNS, DISAGREEMENT_COLUMNS


def review(run, path, edit):
    desk = Desk(run / "codebook.xlsx")
    edit(desk)
    return read_reviewed(desk.save(path))


def first_review(d):
    d.set("a.txt", "Privacy", decision="accept")
    d.set("a.txt", "fairness", decision="reject", note="not equity")
    d.set("a.txt", "privacy", recode_to="equity")
    d.set("c.txt", "equity", decision="accept")
    d.set("c.txt", "Tech for good", decision="accept")
    d.add(source_file="a.txt", line=1, code="good", matched_text="first", decision="add")


def second_review(d):
    d.set("a.txt", "Privacy", decision="accept")
    d.set("a.txt", "fairness", decision="accept", note="it is")
    # a.txt "privacy" left undecided: reviewed by the first reviewer only, so not compared
    d.set("c.txt", "equity", decision="reject")
    d.set("c.txt", "Tech for good", decision="accept")
    d.add(source_file="a.txt", line=1, code="good", matched_text="first", decision="add")
    d.add(source_file="c.txt", line=1, code="equity", matched_text="matters", decision="add")


# Compared rows (first, second), by code:
#   privacy  Privacy        accept / accept
#   equity   fairness       reject / accept
#   equity   c equity       accept / reject
#   equity   "matters"      absent / add      (added by the second reviewer only)
#   good     Tech for good  accept / accept
#   good     "first"        add    / add
FIRST = ["accept", "reject", "accept", "absent", "accept", "add"]
SECOND = ["accept", "accept", "reject", "add", "accept", "add"]


@pytest.fixture
def compared(machine_run, tmp_path):
    one = review(machine_run, tmp_path / "first.xlsx", first_review)
    two = review(machine_run, tmp_path / "second.xlsx", second_review)
    recoded = recode_run(one.manifest, one.path, None, 1)
    between, disagreements = compare_reviewers(one, two, recoded)
    return between.set_index("code"), disagreements


def test_tables_have_their_columns(compared):
    between, disagreements = compared
    assert list(between.reset_index().columns) == BETWEEN_COLUMNS
    assert list(disagreements.columns) == DISAGREEMENT_COLUMNS


def test_rows_compared_are_those_both_reviewers_decided_and_every_added_row(compared):
    between, _ = compared
    assert list(between.index) == ["equity", "good", "privacy", "overall"]
    assert list(between.rows) == [3, 2, 1, 6]


def test_percent_agreement_per_code_and_overall(compared):
    between, _ = compared
    # equity 0 of 3 agree; good 2 of 2; privacy 1 of 1; overall 3 of 6
    assert list(between.percent_agreement) == [0.0, 1.0, 1.0, 0.5]


def test_overall_kappa_matches_hand_count_and_sklearn(compared):
    between, _ = compared
    # po = 3/6; marginals first: accept 3, reject 1, absent 1, add 1; second: accept 3, reject 1, add 2
    # pe = (3·3 + 1·1 + 1·0 + 1·2)/36 = 12/36 = 1/3 → kappa = (1/2 − 1/3)/(2/3) = 1/4
    assert between.loc["overall", "kappa"] == pytest.approx(0.25)
    assert between.loc["overall", "kappa"] == pytest.approx(cohen_kappa_score(FIRST, SECOND), abs=1e-12)


def test_equity_kappa_is_negative_when_every_row_disagrees(compared):
    between, _ = compared
    # first [reject, accept, absent], second [accept, reject, add]; po = 0
    # pe = (reject 1·1 + accept 1·1 + absent 1·0 + add 0·1)/9 = 2/9 → kappa = (0 − 2/9)/(7/9) = −2/7
    assert between.loc["equity", "kappa"] == pytest.approx(-2 / 7)
    assert between.loc["equity", "kappa"] == pytest.approx(
        cohen_kappa_score(["reject", "accept", "absent"], ["accept", "reject", "add"]), abs=1e-12)


def test_overall_alpha_matches_hand_count(compared):
    between, _ = compared
    # 12 values: accept 6, reject 2, add 3, absent 1; 3 disagreeing units → 6 disagreeing coincidences
    # Σ_{c≠k} n_c·n_k = 12² − (36 + 4 + 9 + 1) = 94 → alpha = 1 − 11·6/94 = 28/94 = 14/47
    assert between.loc["overall", "alpha"] == pytest.approx(14 / 47)


def test_equity_alpha_matches_hand_count(compared):
    between, _ = compared
    # 6 values: reject 2, accept 2, absent 1, add 1; all 3 units disagree → 6 coincidences
    # Σ_{c≠k} n_c·n_k = 36 − (4 + 4 + 1 + 1) = 26 → alpha = 1 − 5·6/26 = −2/13
    assert between.loc["equity", "alpha"] == pytest.approx(-2 / 13)


def test_full_agreement_over_two_verdicts_is_one(compared):
    between, _ = compared
    # good: (accept, accept), (add, add)
    assert (between.loc["good", "kappa"], between.loc["good", "alpha"]) == (1.0, 1.0)


def test_single_agreed_verdict_has_no_kappa_or_alpha(compared):
    between, _ = compared
    # privacy: one row, accept/accept — one category, both statistics undefined
    assert math.isnan(between.loc["privacy", "kappa"]) and math.isnan(between.loc["privacy", "alpha"])


def test_disagreements_list_each_row_with_both_verdicts_and_notes(compared):
    _, disagreements = compared
    rows = sorted(zip(disagreements.source_file, disagreements.matched_text, disagreements.code,
                      disagreements["first"], disagreements["second"], strict=True))
    assert rows == [("a.txt", "fairness", "equity", "reject", "accept"),
                    ("c.txt", "equity", "equity", "accept", "reject"),
                    ("c.txt", "matters", "equity", "absent", "add")]
    fairness = disagreements[disagreements.matched_text == "fairness"].iloc[0]
    assert (fairness.first_note, fairness.second_note) == ("not equity", "it is")
    assert fairness.segment_text == "Then fairness and privacy."


def test_recode_verdict_names_the_target_code(machine_run, tmp_path):
    one = review(machine_run, tmp_path / "first.xlsx", lambda d: d.set("a.txt", "privacy", recode_to="equity"))
    two = review(machine_run, tmp_path / "second.xlsx", lambda d: d.set("a.txt", "privacy", recode_to="good"))
    assert verdict(next(r for r in one.rows if r.recode_to)) == "recode:equity"
    _, disagreements = compare_reviewers(one, two, recode_run(one.manifest, one.path, None, 1))
    assert list(zip(disagreements["first"], disagreements["second"], strict=True)) == [
        ("recode:equity", "recode:good")]


def test_verdict_of_a_row_not_on_a_desk_is_empty():
    assert verdict(None) == ""


def test_no_row_reviewed_by_both_gives_an_overall_row_of_nothing(machine_run, tmp_path):
    one = review(machine_run, tmp_path / "first.xlsx", lambda d: d.set("a.txt", "Privacy", decision="accept"))
    two = review(machine_run, tmp_path / "second.xlsx", lambda d: d.set("c.txt", "equity", decision="accept"))
    between, disagreements = compare_reviewers(one, two, recode_run(one.manifest, one.path, None, 1))
    overall = between.set_index("code").loc["overall"]
    assert overall.rows == 0 and math.isnan(overall.percent_agreement) and math.isnan(overall.kappa)
    assert disagreements.empty
