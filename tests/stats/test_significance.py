"""The tests of group differences against scipy.stats' own implementations, on every small table."""

from __future__ import annotations

import itertools
import math

import pytest
from scipy import stats

from pipeline.stats.significance import benjamini_hochberg, fisher_two_sided, log_likelihood_g2, log_ratio, pearson_chi2


@pytest.mark.parametrize("n1, n2", [(4, 3), (7, 6), (12, 9), (1, 5)])
def test_fisher_matches_scipy_on_every_table_of_these_margins(n1, n2):
    for a, c in itertools.product(range(n1 + 1), range(n2 + 1)):
        expected = stats.fisher_exact([[a, n1 - a], [c, n2 - c]], alternative="two-sided").pvalue
        assert fisher_two_sided((a, c), (n1, n2)) == pytest.approx(expected, rel=1e-9), (a, c)


def test_fisher_is_small_where_groups_clearly_differ():
    # 8 of 8 vs 0 of 8 mention the code: p = 2 / C(16, 8) = 2 / 12870
    assert fisher_two_sided((8, 0), (8, 8)) == pytest.approx(2 / 12870)


@pytest.mark.parametrize("mentioning, sizes", [([1, 2, 0], [4, 3, 2]), ([5, 1, 9, 3], [10, 8, 12, 9]),
                                               ([0, 7, 2], [7, 7, 7])])
def test_chi_square_matches_scipy(mentioning, sizes):
    table = [mentioning, [n - m for m, n in zip(mentioning, sizes, strict=True)]]
    statistic, p, dof, expected = stats.chi2_contingency(table, correction=False)
    result = pearson_chi2(mentioning, sizes)
    assert (result.statistic, result.p, result.df) == (pytest.approx(statistic), pytest.approx(p), dof)
    assert result.small_cells == int((expected < 5).sum())


def test_chi_square_has_nothing_to_test_when_everyone_mentions_it():
    assert pearson_chi2([3, 4, 2], [3, 4, 2]) is None and pearson_chi2([0, 0, 0], [3, 4, 2]) is None


@pytest.mark.parametrize("mentions, words", [([3, 1], [24, 15]), ([0, 5], [100, 120]), ([12, 40, 3], [900, 1500, 700]),
                                             ([7, 7], [1000, 1000])])
def test_log_likelihood_matches_scipy_power_divergence(mentions, words):
    expected = [w * sum(mentions) / sum(words) for w in words]
    reference = stats.power_divergence(mentions, expected, lambda_="log-likelihood")
    g2, p = log_likelihood_g2(mentions, words)
    assert g2 == pytest.approx(reference.statistic, abs=1e-12) and p == pytest.approx(reference.pvalue)


def test_log_likelihood_is_undefined_without_mentions():
    assert log_likelihood_g2([0, 0], [10, 20]) is None


def test_log_ratio_is_log2_of_rates_with_half_for_zero():
    assert log_ratio(4, 1000, 2, 1000) == pytest.approx(1.0)           # twice as often per word
    assert log_ratio(0, 1000, 2, 500) == pytest.approx(math.log2((0.5 / 1000) / (2 / 500)))


def test_benjamini_hochberg_matches_scipy_and_keeps_nan():
    p = [0.01, 0.04, 0.03, 0.2, 0.04, 0.9, 0.001]
    assert benjamini_hochberg(p) == pytest.approx(list(stats.false_discovery_control(p, method="bh")))
    adjusted = benjamini_hochberg([0.02, math.nan, 0.04])
    assert math.isnan(adjusted[1])
    assert [adjusted[0], adjusted[2]] == pytest.approx(list(stats.false_discovery_control([0.02, 0.04])))
