"""Machine vs reviewer, per code and overall: counts, precision, recall and Cohen's kappa (with a note where it
is 0 or blank)."""

from __future__ import annotations

import math

import pandas as pd

from pipeline.models import RESPONDENT
from pipeline.stats.agreement import KAPPA_NOTE, cohen_kappa, kappa_note

AGREEMENT_COLUMNS = ["code", "reviewed", "accepted", "rejected", "recoded", "added", "unreviewed", "precision",
                     "recall", "kappa", "kappa_units", "files_fully_reviewed", KAPPA_NOTE]
CELLS = {1: "coded", 0: "not coded"}


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else math.nan


def fully_reviewed_files(applied, recoded) -> list[str]:
    """Files whose every machine row is reviewed on the desk (a deleted row is unreviewed)."""
    files = []
    with_added = {a.source_file for a in applied.added}
    for source_file, result in recoded.results.items():
        rows = [applied.rows.get(a.assignment_id) for a in result.assignments]
        if (rows or source_file in with_added) and all(r is not None and r.reviewed for r in rows):
            files.append(source_file)
    return files


def code_agreement(applied, recoded) -> pd.DataFrame:
    """One row per code and an `overall` row; kappa over (unit × code) of fully reviewed files."""
    codes = recoded.codebook.ids
    counts = {c: dict.fromkeys(("reviewed", "accepted", "rejected", "recoded", "added", "unreviewed",
                                "recoded_into"), 0) for c in codes}
    for a in applied.machine:
        row = applied.rows.get(a.assignment_id)
        tally = counts[a.code]
        if row is None or not row.reviewed:
            tally["unreviewed"] += 1
            continue
        tally["reviewed"] += 1
        if row.recode_to:
            tally["recoded"] += 1
            counts[row.recode_to]["recoded_into"] += 1
        elif row.decision == "accept":
            tally["accepted"] += 1
        else:
            tally["rejected"] += 1
    for a in applied.added:
        counts[a.code]["added"] += 1
    files = fully_reviewed_files(applied, recoded)
    machine_units = {(a.source_file, a.unit, a.code) for a in applied.machine if a.speaker_role == RESPONDENT}
    final_units = {(a.source_file, a.unit, a.code) for a in applied.final if a.speaker_role == RESPONDENT}
    vectors = {c: ([], []) for c in codes}
    for source_file in files:
        for unit in range(recoded.results[source_file].units):
            for code in codes:
                vectors[code][0].append(int((source_file, unit, code) in machine_units))
                vectors[code][1].append(int((source_file, unit, code) in final_units))
    rows = []
    for code in codes + ["overall"]:
        if code == "overall":
            tally = {k: sum(counts[c][k] for c in codes) for k in counts[codes[0]]} if codes else {}
            machine = [v for c in codes for v in vectors[c][0]]
            reviewer = [v for c in codes for v in vectors[c][1]]
        else:
            tally = counts[code]
            machine, reviewer = vectors[code]
        kappa = cohen_kappa(machine, reviewer)
        rows.append({"code": code, **{k: tally[k] for k in ("reviewed", "accepted", "rejected", "recoded",
                                                           "added", "unreviewed")},
                     "precision": _ratio(tally["accepted"], tally["reviewed"]),
                     "recall": _ratio(tally["accepted"], tally["accepted"] + tally["added"] + tally["recoded_into"]),
                     "kappa": kappa, "kappa_units": len(machine),
                     "files_fully_reviewed": len(files),
                     KAPPA_NOTE: _note(machine, reviewer, kappa, code, len(files))})
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


def _note(machine: list[int], reviewer: list[int], kappa: float, code: str, files: int) -> str:
    if not files:
        return "no file is fully reviewed: kappa blank"
    item = "unit×code cell" if code == "overall" else "unit"
    return kappa_note(machine, reviewer, kappa, ("qcode", "the reviewer"), item, CELLS)
