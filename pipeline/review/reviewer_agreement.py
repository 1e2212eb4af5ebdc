"""Two reviews of one run → per-code agreement between the reviewers and the rows they disagree on."""

from __future__ import annotations

import pandas as pd

from pipeline.stats.agreement import (
    BETWEEN_COLUMNS,
    DISAGREEMENT_COLUMNS,
    KAPPA_NOTE,
    cohen_kappa,
    kappa_note,
    krippendorff_alpha_nominal,
    percent_agreement,
)

REVIEWERS = ("the first reviewer", "the second reviewer")


def verdict(row) -> str:
    """What a reviewer said of a row: accept, reject, recode:<code>, add, or "" (not reviewed)."""
    if row is None:
        return ""
    if row.recode_to:
        return f"recode:{row.recode_to}"
    return row.decision


def compare_reviewers(first, second, recoded) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows both reviewers decided (machine rows by id; added rows by file, line, code and text)."""
    machine = {a.assignment_id: a for r in recoded.results.values() for a in r.assignments}
    items: dict[tuple, dict] = {}
    for index, review in enumerate((first, second)):
        for row in review.rows:
            if row.added:
                key = ("add", row.source_file, row.line, row.code, row.matched_text)
                base = {"assignment_id": "", "source_file": row.source_file, "line": row.line, "code": row.code,
                        "matched_text": row.matched_text, "segment_text": row.segment_text}
            elif row.assignment_id in machine:
                a = machine[row.assignment_id]
                key = ("id", row.assignment_id)
                base = {"assignment_id": a.assignment_id, "source_file": a.source_file, "line": a.line,
                        "code": a.code, "matched_text": a.matched_text, "segment_text": a.segment_text}
            else:
                continue
            item = items.setdefault(key, {**base, "verdicts": ["", ""], "notes": ["", ""]})
            item["verdicts"][index] = verdict(row)
            item["notes"][index] = row.note
    compared = []
    for key, item in items.items():
        one, two = item["verdicts"]
        if key[0] == "add":
            one, two = one or "absent", two or "absent"
        elif not (one and two):
            continue                      # reviewed by one reviewer only
        compared.append((item, one, two))
    rows = []
    codes = sorted({item["code"] for item, _, _ in compared})
    for code in codes + ["overall"]:
        pairs = [(one, two) for item, one, two in compared if code in ("overall", item["code"])]
        ones, twos = [p[0] for p in pairs], [p[1] for p in pairs]
        kappa = cohen_kappa(ones, twos)
        rows.append({"code": code, "rows": len(pairs), "percent_agreement": percent_agreement(ones, twos),
                     "kappa": kappa, "alpha": krippendorff_alpha_nominal(ones, twos),
                     KAPPA_NOTE: kappa_note(ones, twos, kappa, REVIEWERS, "row")})
    disagreements = [{**{k: item[k] for k in DISAGREEMENT_COLUMNS[:6]}, "first": one, "second": two,
                      "first_note": item["notes"][0], "second_note": item["notes"][1]}
                     for item, one, two in compared if one != two]
    return (pd.DataFrame(rows, columns=BETWEEN_COLUMNS), pd.DataFrame(disagreements, columns=DISAGREEMENT_COLUMNS))
