"""Counts per group → two-sided tests of whether groups differ, effect sizes and BH-adjusted p-values.

The test statistics are computed here from their textbook formulas (exact integers for
Fisher); only the chi-square tail probability comes from scipy. The tests check every
figure against scipy.stats' own implementations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from scipy.stats import chi2 as chi2_distribution

SMALL_EXPECTED = 5       # Cochran's rule of thumb for the chi-square approximation
RELATIVE_TIE = Fraction(1, 10**7)   # tables as probable as the observed one, up to rounding, count as "as extreme"


def fisher_two_sided(mentioning: tuple[int, int], sizes: tuple[int, int]) -> float:
    """Fisher's exact test on a 2×2 table (mentioning, not mentioning) × two groups.

    Two-sided: the sum of the probabilities of every table with the same margins that is no
    more probable than the observed one (the convention of R's fisher.test and scipy).
    """
    a, c = mentioning
    n1, n2 = sizes
    total_mentioning = a + c

    def weight(x: int) -> int:       # hypergeometric numerator, exact
        return math.comb(n1, x) * math.comb(n2, total_mentioning - x)

    low, high = max(0, total_mentioning - n2), min(n1, total_mentioning)
    observed = weight(a)
    limit = observed * (1 + RELATIVE_TIE)
    extreme = sum(w for x in range(low, high + 1) if (w := weight(x)) <= limit)
    return min(1.0, float(Fraction(extreme, math.comb(n1 + n2, total_mentioning))))


@dataclass(frozen=True)
class Chi2Result:
    statistic: float
    df: int
    p: float
    small_cells: int      # cells with an expected count below 5


def pearson_chi2(mentioning: list[int], sizes: list[int]) -> Chi2Result | None:
    """Pearson's chi-square on the 2×k table of interviewees mentioning / not mentioning.

    None when a row of the table is empty (everyone or no one mentions the code): the
    expected counts are zero and there is nothing to test.
    """
    total = sum(sizes)
    yes = sum(mentioning)
    no = total - yes
    if not total or not yes or not no:
        return None
    statistic, small = 0.0, 0
    for m, n in zip(mentioning, sizes, strict=True):
        for observed, row_total in ((m, yes), (n - m, no)):
            expected = row_total * n / total
            small += expected < SMALL_EXPECTED
            statistic += (observed - expected) ** 2 / expected
    df = len(sizes) - 1
    return Chi2Result(statistic, df, float(chi2_distribution.sf(statistic, df)), small)


def log_likelihood_g2(mentions: list[int], words: list[int]) -> tuple[float, float] | None:
    """Log-likelihood G² on mention rates (Dunning 1993; Rayson & Garside 2000): (G², p).

    Expected mentions in each group are proportional to its words: E_i = W_i · ΣM / ΣW;
    G² = 2 Σ M_i ln(M_i / E_i), with k − 1 degrees of freedom. None when no group mentions
    the code.
    """
    total_mentions, total_words = sum(mentions), sum(words)
    if not total_mentions:
        return None
    statistic = 0.0
    for m, w in zip(mentions, words, strict=True):
        if m:
            statistic += m * math.log(m / (w * total_mentions / total_words))
    statistic = max(0.0, 2 * statistic)
    return statistic, float(chi2_distribution.sf(statistic, len(mentions) - 1))


def log_ratio(mentions: int, words: int, other_mentions: int, other_words: int) -> float:
    """Hardie's Log Ratio: log2 of the group's rate over the rate of everyone else.

    +1 = twice as often per word, −1 = half as often; a zero count is taken as 0.5 so that
    the ratio stays finite (Hardie 2014).
    """
    return math.log2((max(mentions, 0.5) / words) / (max(other_mentions, 0.5) / other_words))


def benjamini_hochberg(p_values: list[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (false discovery rate); NaN stays NaN and is not counted."""
    present = sorted((p, i) for i, p in enumerate(p_values) if p == p)
    adjusted = [math.nan] * len(p_values)
    m = len(present)
    running = 1.0
    for rank in range(m, 0, -1):
        p, index = present[rank - 1]
        running = min(running, p * m / rank)
        adjusted[index] = min(1.0, running)
    return adjusted
