"""The statistics are the cited libraries' own, and every agreement sheet says why a kappa is 0 or blank."""

from __future__ import annotations

import math
import random

import krippendorff
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import Desk
from scipy import stats

from pipeline.cli import main
from pipeline.review.machine_agreement import AGREEMENT_COLUMNS
from pipeline.stats.agreement import (
    BETWEEN_COLUMNS,
    KAPPA_NOTE,
    cohen_kappa,
    kappa_note,
    krippendorff_alpha_nominal,
)
from pipeline.stats.significance import benjamini_hochberg, fisher_two_sided, log_likelihood_g2, pearson_chi2

RNG = random.Random(19)


def _pairs(count: int):
    for _ in range(count):
        size = RNG.choice([2, 7, 30, 250])
        categories = RNG.choice(["ab", "abc", "abcde"])
        first = [RNG.choice(categories) for _ in range(size)]
        yield first, [c if RNG.random() < 0.7 else RNG.choice(categories) for c in first]


# ---- the library figures, to 1e-12 -----------------------------------------------------------------------------

@pytest.mark.parametrize("first, second", list(_pairs(40)))
def test_alpha_is_the_krippendorff_packages(first, second):
    if len(set(first) | set(second)) < 2:
        assert math.isnan(krippendorff_alpha_nominal(first, second))
        return
    index = {v: i for i, v in enumerate(sorted(set(first) | set(second)))}
    expected = krippendorff.alpha(reliability_data=[[index[v] for v in first], [index[v] for v in second]],
                                  level_of_measurement="nominal")
    assert krippendorff_alpha_nominal(first, second) == pytest.approx(expected, abs=1e-12)


def test_alpha_is_a_python_float_and_keeps_the_textbook_value():
    value = krippendorff_alpha_nominal([0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0])
    assert type(value) is float and value == pytest.approx(2 / 21, abs=1e-12)


@pytest.mark.parametrize("seed", range(30))
def test_significance_figures_are_scipys(seed):
    rng = random.Random(seed)
    n1, n2 = rng.randint(1, 200), rng.randint(1, 200)
    a, c = rng.randint(0, n1), rng.randint(0, n2)
    assert fisher_two_sided((a, c), (n1, n2)) == pytest.approx(
        stats.fisher_exact([[a, n1 - a], [c, n2 - c]]).pvalue, abs=1e-12)
    sizes = [rng.randint(1, 40) for _ in range(rng.randint(3, 6))]
    mentioning = [rng.randint(0, n) for n in sizes]
    result = pearson_chi2(mentioning, sizes)
    if result is not None:
        reference = stats.chi2_contingency([mentioning, [n - m for m, n in zip(mentioning, sizes, strict=True)]],
                                           correction=False)
        assert (result.statistic, result.p) == (pytest.approx(reference.statistic, abs=1e-12),
                                                pytest.approx(reference.pvalue, abs=1e-12))
    words = [rng.randint(50, 5000) for _ in sizes]
    mentions = [rng.randint(0, w // 20) for w in words]
    g2 = log_likelihood_g2(mentions, words)
    if g2 is not None:
        reference = stats.power_divergence(mentions, [w * sum(mentions) / sum(words) for w in words],
                                           lambda_="log-likelihood")
        assert g2 == (pytest.approx(reference.statistic, abs=1e-12), pytest.approx(reference.pvalue, abs=1e-12))
    p = [rng.random() ** 3 for _ in range(rng.randint(1, 30))]
    assert benjamini_hochberg(p) == pytest.approx(list(stats.false_discovery_control(p, method="bh")), abs=1e-12)


def test_edge_cases_are_reported_as_before():
    assert pearson_chi2([3, 4, 2], [3, 4, 2]) is None                  # everyone mentions it
    assert math.isnan(pearson_chi2([1], [3]).p)                        # one group: df 0, nothing to compare
    assert log_likelihood_g2([0, 0], [10, 20]) is None                 # no group mentions it
    # a group with no words and no mentions adds nothing to G² but keeps its degree of freedom
    with_empty, without = log_likelihood_g2([2, 3, 0], [40, 20, 0]), log_likelihood_g2([2, 3], [40, 20])
    assert with_empty[0] == pytest.approx(without[0], abs=1e-12)
    assert with_empty[1] == pytest.approx(stats.chi2.sf(without[0], 2), abs=1e-12)
    assert math.isnan(benjamini_hochberg([math.nan])[0]) and benjamini_hochberg([]) == []


# ---- the note: why a kappa is 0 or blank ------------------------------------------------------------------------

def test_note_of_prevalence_when_one_coder_coded_every_unit():
    machine, reviewer = [1] * 16, [1] * 15 + [0]
    kappa = cohen_kappa(machine, reviewer)
    assert kappa == 0
    assert kappa_note(machine, reviewer, kappa, ("qcode", "the reviewer"), "unit", {1: "coded", 0: "not coded"}) == (
        "prevalence: qcode gave 'coded' to every one of the 16 units: kappa is 0 although agreement is 93.8%; "
        "with one coder constant, chance predicts all the agreement seen (Feinstein & Cicchetti 1990)")


def test_note_of_one_category_only():
    assert math.isnan(cohen_kappa(["no"] * 3, ["no"] * 3))
    assert kappa_note(["no"] * 3, ["no"] * 3, math.nan) == (
        "one category only: both coders gave 'no' to every one of the 3 rows, so kappa (and alpha) is undefined "
        "and left blank")
    assert kappa_note([], [], math.nan, item="unit") == "no units to compare: kappa blank"


def test_note_of_chance_agreement_and_no_note_otherwise():
    first, second = ["a", "b", "a", "b"], ["a", "a", "b", "b"]          # po = 0.5 = pe
    assert kappa_note(first, second, cohen_kappa(first, second)).startswith("kappa is 0: the agreement of 50.0%")
    assert kappa_note(["a", "b"], ["a", "b"], 1.0) == ""
    assert kappa_note(["a", "b", "a"], ["b", "b", "a"], cohen_kappa(["a", "b", "a"], ["b", "b", "a"])) == ""


# ---- the sheets -------------------------------------------------------------------------------------------------

def _audit(*args):
    result = CliRunner().invoke(main, ["audit", *map(str, args)])
    assert "Traceback" not in result.output and result.exit_code == 0, result.output
    return result


def _review(run, path, reviewer, decisions, add=False):
    desk = Desk(run / "codebook.xlsx")
    for source_file, text, kind, value in decisions:
        desk.set(source_file, text, **{kind: value}, reviewer=reviewer)
    if add:
        desk.add(source_file="a.txt", line=1, code="good", matched_text="first", decision="add", reviewer=reviewer)
    return desk.save(path)


FIRST = [("a.txt", "Privacy", "decision", "accept"), ("a.txt", "fairness", "decision", "reject"),
         ("a.txt", "privacy", "recode_to", "equity"), ("c.txt", "equity", "decision", "accept"),
         ("c.txt", "Tech for good", "decision", "accept")]


def _sheet(path, name):
    return pd.read_excel(path, sheet_name=name, keep_default_na=False).set_index("code")


def test_audit_agreement_sheet_explains_a_kappa_of_zero(machine_run, tmp_path):
    _audit(_review(machine_run, tmp_path / "r.xlsx", "Li", FIRST[:4], add=True), "--out", tmp_path / "out")
    sheet = _sheet(tmp_path / "out" / "codebook.xlsx", "Agreement")
    assert list(sheet.reset_index().columns) == AGREEMENT_COLUMNS and AGREEMENT_COLUMNS[-1] == KAPPA_NOTE
    # a.txt: privacy [1, 1] (machine) vs [1, 0]; good [0, 0] vs [1, 0]; equity [0, 1] vs [0, 1]
    assert (sheet.loc["privacy", "kappa"], sheet.loc["good", "kappa"]) == (0, 0)
    assert sheet.loc["privacy", KAPPA_NOTE].startswith(
        "prevalence: qcode gave 'coded' to every one of the 2 units: kappa is 0 although agreement is 50.0%")
    assert sheet.loc["good", KAPPA_NOTE].startswith(
        "prevalence: qcode gave 'not coded' to every one of the 2 units: kappa is 0 although agreement is 50.0%")
    assert sheet.loc["equity", KAPPA_NOTE] == "" and sheet.loc["overall", KAPPA_NOTE] == ""
    csv = pd.read_csv(tmp_path / "out" / "agreement.csv", encoding="utf-8-sig").set_index("code")
    assert csv.loc["privacy", KAPPA_NOTE] == sheet.loc["privacy", KAPPA_NOTE]


def test_audit_agreement_sheet_explains_a_blank_kappa(machine_run, tmp_path):
    accept_all = [("a.txt", t, "decision", "accept") for t in ("Privacy", "fairness", "privacy")]
    _audit(_review(machine_run, tmp_path / "r.xlsx", "Li", accept_all), "--out", tmp_path / "out")
    sheet = _sheet(tmp_path / "out" / "codebook.xlsx", "Agreement")
    # a.txt reviewed as coded: privacy [1, 1] vs [1, 1]; good [0, 0] vs [0, 0]
    assert (sheet.loc["privacy", "kappa"], sheet.loc["good", "kappa"]) == ("", "")
    assert sheet.loc["privacy", KAPPA_NOTE] == ("one category only: both coders gave 'coded' to every one of the "
                                                "2 units, so kappa (and alpha) is undefined and left blank")
    assert sheet.loc["good", KAPPA_NOTE].startswith("one category only: both coders gave 'not coded'")
    assert sheet.loc["equity", "kappa"] == 1 and sheet.loc["equity", KAPPA_NOTE] == ""


def test_reviewer_agreement_sheet_explains_zero_and_blank_kappas(machine_run, tmp_path):
    first = _review(machine_run, tmp_path / "li.xlsx", "Li", FIRST)
    second = _review(machine_run, tmp_path / "wang.xlsx", "Wang",
                     [("a.txt", "fairness", "decision", "accept"), *(d for d in FIRST if d[1] != "fairness")])
    _audit(first, "--second", second, "--out", tmp_path / "both")
    sheet = _sheet(tmp_path / "both" / "codebook.xlsx", "Reviewer agreement")
    assert list(sheet.reset_index().columns) == BETWEEN_COLUMNS and BETWEEN_COLUMNS[-1] == KAPPA_NOTE
    # equity: fairness reject/accept, c.txt equity accept/accept → the second reviewer accepted both
    assert sheet.loc["equity", "kappa"] == 0
    assert sheet.loc["equity", KAPPA_NOTE].startswith(
        "prevalence: the second reviewer gave 'accept' to every one of the 2 rows: kappa is 0 although agreement "
        "is 50.0%")
    # good: the one row, accepted by both → one category only
    assert sheet.loc["good", "kappa"] == "" and sheet.loc["good", "alpha"] == ""
    assert sheet.loc["good", KAPPA_NOTE].startswith("one category only: both coders gave 'accept' to the only row")
    assert sheet.loc["privacy", KAPPA_NOTE] == ""
