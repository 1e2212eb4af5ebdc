"""Counts per group → two-sided tests of whether groups differ, effect sizes and BH-adjusted p-values.

Every test is scipy.stats' own, the implementation a methods section cites: Fisher's exact test
(`fisher_exact`), Pearson's chi-square (`chi2_contingency(correction=False)`), the log-likelihood
G² (`power_divergence(lambda_="log-likelihood")`) and Benjamini–Hochberg (`false_discovery_control`).
This module only lays the counts out as the tables those functions take and keeps qcode's
conventions for the cases where there is nothing to test (None / NaN). Log Ratio is an effect
size, not a test, and is one line here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

SMALL_EXPECTED = 5       # Cochran's rule of thumb for the chi-square approximation


def fisher_two_sided(mentioning: tuple[int, int], sizes: tuple[int, int]) -> float:
    """Fisher's exact test on a 2×2 table (mentioning, not mentioning) × two groups (scipy.stats.fisher_exact).

    Two-sided: the sum of the probabilities of every table with the same margins that is no
    more probable than the observed one (the convention of R's fisher.test and scipy).
    """
    a, c = mentioning
    n1, n2 = sizes
    return float(stats.fisher_exact([[a, n1 - a], [c, n2 - c]], alternative="two-sided").pvalue)


@dataclass(frozen=True)
class Chi2Result:
    statistic: float
    df: int
    p: float
    small_cells: int      # cells with an expected count below 5


def pearson_chi2(mentioning: list[int], sizes: list[int]) -> Chi2Result | None:
    """Pearson's chi-square on the 2×k table of interviewees mentioning / not mentioning
    (scipy.stats.chi2_contingency without Yates' correction).

    None when a row of the table is empty (everyone or no one mentions the code): the
    expected counts are zero and there is nothing to test. With one group (df 0) p is NaN.
    """
    total = sum(sizes)
    yes = sum(mentioning)
    if not total or not yes or yes == total:
        return None
    table = [list(mentioning), [n - m for m, n in zip(mentioning, sizes, strict=True)]]
    result = stats.chi2_contingency(table, correction=False)
    df = int(result.dof)
    return Chi2Result(float(result.statistic), df, float(result.pvalue) if df else math.nan,
                      int((result.expected_freq < SMALL_EXPECTED).sum()))


def log_likelihood_g2(mentions: list[int], words: list[int]) -> tuple[float, float] | None:
    """Log-likelihood G² on mention rates (Dunning 1993; Rayson & Garside 2000): (G², p), by
    scipy.stats.power_divergence(lambda_="log-likelihood").

    Expected mentions in each group are proportional to its words: E_i = W_i · ΣM / ΣW;
    G² = 2 Σ M_i ln(M_i / E_i), with k − 1 degrees of freedom. None when no group mentions
    the code. A group with no words and no mentions adds nothing to G² (but counts in k).
    """
    total_mentions, total_words = sum(mentions), sum(words)
    if not total_mentions:
        return None
    if any(m and not w for m, w in zip(mentions, words, strict=True)):
        raise ValueError("a group with no words cannot have mentions")
    observed = [m for m, w in zip(mentions, words, strict=True) if w]
    expected = [w * total_mentions / total_words for w in words if w]
    result = stats.power_divergence(observed, expected, lambda_="log-likelihood",
                                    ddof=len(observed) - len(mentions))     # df stays k − 1
    return max(0.0, float(result.statistic)), float(result.pvalue)


def log_ratio(mentions: int, words: int, other_mentions: int, other_words: int) -> float:
    """Hardie's Log Ratio: log2 of the group's rate over the rate of everyone else.

    +1 = twice as often per word, −1 = half as often; a zero count is taken as 0.5 so that
    the ratio stays finite (Hardie 2014).
    """
    return math.log2((max(mentions, 0.5) / words) / (max(other_mentions, 0.5) / other_words))


def benjamini_hochberg(p_values: list[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (scipy.stats.false_discovery_control, method "bh");
    NaN stays NaN and is not counted."""
    present = [i for i, p in enumerate(p_values) if p == p]
    adjusted = [math.nan] * len(p_values)
    if present:
        values = stats.false_discovery_control([p_values[i] for i in present], method="bh")
        for index, value in zip(present, values, strict=True):
            adjusted[index] = float(value)
    return adjusted
