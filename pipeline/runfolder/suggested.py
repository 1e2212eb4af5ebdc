"""Second-opinion suggestions → the desk's Suggested sheet, with a decision drop-down (accept, reject) [writes disk].

An accepted suggestion is read back as a row the reviewer added (review/reviewed_workbook.py); an undecided
or rejected one counts nowhere. The sheet is never part of a tally.
"""

from __future__ import annotations

import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pipeline.write.excel import SheetWriter

SUGGESTED_SHEET = "Suggested"
SUGGESTED_COLUMNS = ["source_file", "interviewee_id", "line", "code", "score", "drivers", "matched_text",
                     "segment_text", "decision", "note", "reviewer"]
SUGGESTION_DECISIONS = ("accept", "reject")     # the first two of the desk's Lists column


def write_suggested(workbook, suggestions: pd.DataFrame, lists_sheet: str) -> None:
    """The Suggested sheet after the desk: one row per suggestion, the reviewer's columns empty."""
    writer = SheetWriter(workbook, SUGGESTED_SHEET, SUGGESTED_COLUMNS, wrap={"segment_text", "note", "drivers"},
                         formats={"score": "0.000"})
    for row in suggestions.itertuples(index=False):
        values = dict(zip(suggestions.columns, row, strict=True))
        writer.append([values.get(c) for c in SUGGESTED_COLUMNS])
    writer.finish()
    column = get_column_letter(SUGGESTED_COLUMNS.index("decision") + 1)
    decisions = DataValidation(type="list", formula1=f"{lists_sheet}!$A$2:$A${len(SUGGESTION_DECISIONS) + 1}",
                               allow_blank=True, showErrorMessage=True, errorTitle="decision",
                               error="Choose accept (it counts like an added row) or reject.")
    decisions.add(f"{column}2:{column}{max(writer.rows, 1) + 1}")
    writer.sheet.data_validations.append(decisions)
