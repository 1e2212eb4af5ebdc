"""Agreement statistics: percent agreement, Cohen's kappa and Krippendorff's alpha (nominal)."""

from __future__ import annotations

import math
import warnings
from collections import Counter

# The columns of a between-coders table (two reviewers; qcode vs a hand-coded project) and of its
# disagreeing rows.
BETWEEN_COLUMNS = ["code", "rows", "percent_agreement", "kappa", "alpha"]
DISAGREEMENT_COLUMNS = ["assignment_id", "source_file", "line", "code", "matched_text", "segment_text",
                        "first", "second", "first_note", "second_note"]


def percent_agreement(first: list, second: list) -> float:
    if not first:
        return math.nan
    return sum(a == b for a, b in zip(first, second, strict=True)) / len(first)


def cohen_kappa(first: list, second: list) -> float:
    """Cohen's kappa (scikit-learn); NaN where it is undefined (both raters used one category)."""
    if not first or len(set(first) | set(second)) < 2:
        return math.nan
    from sklearn.metrics import cohen_kappa_score

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = cohen_kappa_score(first, second)
    return float(value)


def krippendorff_alpha_nominal(first: list, second: list) -> float:
    """Krippendorff's alpha for two coders, nominal data, every unit coded by both.

    Coincidences: each unit (a, b) adds one to o[a][b] and one to o[b][a];
    alpha = 1 − (n − 1) · Σ_{c≠k} o_ck / Σ_{c≠k} n_c · n_k, with n = 2 × units.
    """
    if not first:
        return math.nan
    observed = Counter()
    for a, b in zip(first, second, strict=True):
        observed[(a, b)] += 1
        observed[(b, a)] += 1
    totals = Counter()
    for (a, _), count in observed.items():
        totals[a] += count
    n = sum(totals.values())
    disagree = sum(count for (a, b), count in observed.items() if a != b)
    expected = sum(totals[a] * totals[b] for a in totals for b in totals if a != b)
    if expected == 0:
        return math.nan
    return 1 - (n - 1) * disagree / expected
