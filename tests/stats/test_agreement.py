"""Percent agreement, Cohen's kappa and Krippendorff's alpha (nominal, two coders)."""

from __future__ import annotations

import math
import random

import pytest
from sklearn.metrics import cohen_kappa_score

from pipeline.stats.agreement import cohen_kappa, krippendorff_alpha_nominal, percent_agreement

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", binary data, two observers, 10 units
KRIPPENDORFF_A = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
KRIPPENDORFF_B = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]


def _random_pair(seed: int, size: int, categories: str) -> tuple[list, list]:
    rng = random.Random(seed)
    first = [rng.choice(categories) for _ in range(size)]
    second = [c if rng.random() < 0.6 else rng.choice(categories) for c in first]
    return first, second


KAPPA_VECTORS = [
    ([0, 1, 1, 0, 1], [0, 1, 0, 0, 1]),
    (["yes", "no", "yes", "yes"], ["no", "no", "yes", "no"]),
    (["a", "b", "c", "a", "b", "c"], ["a", "c", "b", "a", "b", "a"]),
    (["accept", "reject", "add"], ["reject", "accept", "absent"]),          # categories one rater never uses
    ([0, 0, 0, 1], [1, 1, 1, 0]),                                           # worse than chance
    ([0, 0, 0, 0], [1, 1, 1, 1]),                                           # each rater one category, different
    ([1, 1, 1, 1, 0], [1, 1, 1, 1, 1]),                                     # one rater one category
    *(_random_pair(seed, size, "abcd") for seed, size in [(1, 20), (2, 57), (3, 200), (4, 3)]),
]


def test_percent_agreement_is_the_share_of_equal_pairs():
    assert percent_agreement(["a", "b", "c", "a"], ["a", "c", "c", "b"]) == 0.5


def test_percent_agreement_of_no_pairs_is_nan():
    assert math.isnan(percent_agreement([], []))


def test_percent_agreement_refuses_vectors_of_different_lengths():
    with pytest.raises(ValueError):
        percent_agreement([1, 2, 3], [1, 2])


def test_cohen_kappa_of_a_hand_counted_table():
    # 50 items: yes/yes 20, yes/no 5, no/yes 10, no/no 15
    # po = 35/50 = .7; first says yes 25/50 = .5, second 30/50 = .6 → pe = .5·.6 + .5·.4 = .5
    # kappa = (.7 − .5)/(1 − .5) = .4
    first = ["yes"] * 25 + ["no"] * 25
    second = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(first, second) == pytest.approx(0.4, abs=1e-12)


@pytest.mark.parametrize("first, second", KAPPA_VECTORS)
def test_cohen_kappa_equals_sklearn(first, second):
    assert cohen_kappa(first, second) == pytest.approx(cohen_kappa_score(first, second), abs=1e-12)


def test_cohen_kappa_of_perfect_agreement_is_one():
    assert cohen_kappa(["a", "b", "a"], ["a", "b", "a"]) == 1.0


def test_cohen_kappa_is_symmetric():
    first, second = _random_pair(5, 40, "abc")
    assert cohen_kappa(first, second) == pytest.approx(cohen_kappa(second, first), abs=1e-12)


def test_cohen_kappa_when_both_raters_use_one_category_only_is_nan():
    # pe = 1: kappa = (1 − 1)/(1 − 1) is undefined; the module says so with NaN (sklearn's own 0/0 result)
    assert math.isnan(cohen_kappa(["a", "a", "a"], ["a", "a", "a"]))


def test_cohen_kappa_returns_a_python_float():
    assert type(cohen_kappa([0, 1], [0, 1])) is float


def test_cohen_kappa_of_no_pairs_is_nan():
    assert math.isnan(cohen_kappa([], []))


def test_krippendorff_alpha_of_the_textbook_binary_example():
    # Coincidences: 5 units (0,0) → o00 = 10; 1 unit (1,1) → o11 = 2; 4 units disagree → o01 = o10 = 4
    # n0 = 10 + 4 = 14, n1 = 2 + 4 = 6, n = 20
    # alpha = 1 − (n − 1)·(o01 + o10)/(n0·n1 + n1·n0) = 1 − 19·8/168 = 16/168 = 2/21 ≈ 0.095 (the paper's value)
    assert krippendorff_alpha_nominal(KRIPPENDORFF_A, KRIPPENDORFF_B) == pytest.approx(2 / 21, abs=1e-12)


def test_krippendorff_alpha_of_three_categories_by_hand():
    # units (a,a) (a,b) (b,b) (c,c) (c,a): n_a = 4, n_b = 3, n_c = 3, n = 10
    # disagreeing coincidences: (a,b) and (c,a) each add 2 → 4
    # Σ_{c≠k} n_c·n_k = 10² − (16 + 9 + 9) = 66 → alpha = 1 − 9·4/66 = 30/66 = 5/11
    first, second = ["a", "a", "b", "c", "c"], ["a", "b", "b", "c", "a"]
    assert krippendorff_alpha_nominal(first, second) == pytest.approx(5 / 11, abs=1e-12)


def test_krippendorff_alpha_is_symmetric_in_the_coders():
    first, second = _random_pair(6, 30, "abcd")
    assert krippendorff_alpha_nominal(first, second) == pytest.approx(krippendorff_alpha_nominal(second, first),
                                                                      abs=1e-12)


def test_krippendorff_alpha_of_perfect_agreement_is_one():
    assert krippendorff_alpha_nominal(["a", "b", "c"], ["a", "b", "c"]) == 1.0


def test_cohen_kappa_of_the_textbook_binary_example_differs_from_alpha():
    # po = 6/10; first says 1 in 2/10, second in 4/10 → pe = .2·.4 + .8·.6 = .56 → kappa = .04/.44 = 1/11,
    # whereas alpha pools both coders' marginals and is 2/21
    assert cohen_kappa(KRIPPENDORFF_A, KRIPPENDORFF_B) == pytest.approx(1 / 11, abs=1e-12)
    assert krippendorff_alpha_nominal(KRIPPENDORFF_A, KRIPPENDORFF_B) != pytest.approx(1 / 11)


def test_krippendorff_alpha_with_one_category_only_is_nan():
    # every value the same: no expected disagreement (Σ_{c≠k} n_c·n_k = 0), alpha undefined → NaN
    assert math.isnan(krippendorff_alpha_nominal(["a", "a"], ["a", "a"]))


def test_krippendorff_alpha_of_no_units_is_nan():
    assert math.isnan(krippendorff_alpha_nominal([], []))


def test_krippendorff_alpha_refuses_vectors_of_different_lengths():
    with pytest.raises(ValueError):
        krippendorff_alpha_nominal(["a", "b"], ["a"])
