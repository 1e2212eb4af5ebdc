"""Agreement statistics: percent agreement, Cohen's kappa (scikit-learn) and Krippendorff's alpha (nominal, the
`krippendorff` package)."""

from __future__ import annotations

import math
import warnings

import krippendorff

# The columns of a between-coders table (two reviewers; qcode vs a hand-coded project) and of its
# disagreeing rows. kappa_note says why a kappa is 0 or blank where it is; it comes last, so that readers
# of older folders find every other column where it was.
KAPPA_NOTE = "kappa_note"
BETWEEN_FIGURES = ["code", "rows", "percent_agreement", "kappa", "alpha"]
BETWEEN_COLUMNS = BETWEEN_FIGURES + [KAPPA_NOTE]
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
    """Krippendorff's alpha for two coders, nominal data, every unit coded by both (the `krippendorff`
    package); NaN where it is undefined (no units, or one value only: no expected disagreement)."""
    if len(first) != len(second):
        raise ValueError(f"{len(first)} and {len(second)} codings: every unit needs both coders' values")
    if len(set(first) | set(second)) < 2:
        return math.nan
    values = {v: i for i, v in enumerate(dict.fromkeys([*first, *second]))}     # categories → 0, 1, …
    data = [[values[v] for v in first], [values[v] for v in second]]
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


CODERS = ("the first coder", "the second coder")


def kappa_note(first: list, second: list, kappa: float, coders: tuple[str, str] = CODERS, item: str = "row",
               names: dict | None = None) -> str:
    """Why a kappa is blank (undefined) or 0 where it is; "" for any other kappa.

    `coders` name the two coders, `item` what they coded (singular); `names` shows a value in words
    (e.g. 1 → "coded").
    """
    def shown(value) -> str:
        return f"'{(names or {}).get(value, value)}'"

    def every(n: int) -> str:
        return f"the only {item}" if n == 1 else f"every one of the {n} {item}s"

    if not first:
        return f"no {item}s to compare: kappa blank"
    if math.isnan(kappa) and len(set(first) | set(second)) < 2:
        return (f"one category only: both coders gave {shown(first[0])} to {every(len(first))}, so kappa (and "
                "alpha) is undefined and left blank")
    if math.isnan(kappa) or abs(kappa) >= 1e-12:
        return ""
    agreement = percent_agreement(first, second)
    constant = [(who, values[0]) for who, values in zip(coders, (first, second), strict=True)
                if len(set(values)) == 1]
    if not constant:
        return (f"kappa is 0: the agreement of {agreement:.1%} is no more than chance predicts from how often "
                "each coder used each category")
    who, value = constant[0]
    why = "with one coder constant, chance predicts all the agreement seen (Feinstein & Cicchetti 1990)"
    said = f"prevalence: {who} gave {shown(value)} to {every(len(first))}: kappa is 0"
    if agreement >= 0.5:
        return f"{said} although agreement is {agreement:.1%}; {why}"
    return f"{said} (agreement {agreement:.1%}); {why}"
