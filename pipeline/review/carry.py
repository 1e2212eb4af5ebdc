"""A reviewed workbook's decisions → carried onto a new run's assignments by id (`run --reviewed`)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from pipeline.errors import Problem
from pipeline.models import Assignment, FileResult
from pipeline.review.apply import locate_added
from pipeline.review.reviewed_workbook import ReviewedWorkbook, ReviewRow
from pipeline.runfolder.recode import Recoded

ORPHAN_COLUMNS = ["assignment_id", "source_file", "line", "code", "matched_text", "decision", "recode_to", "note",
                  "reviewer", "why", "sheet", "row"]


class Carrier:
    """Carries every still-valid decision, note and added row; collects the rest as orphans."""

    def __init__(self, review: ReviewedWorkbook, code_ids: list[str]):
        self.review = review
        self.codes = set(code_ids)
        self.by_file: dict[str, list[ReviewRow]] = {}
        for row in review.rows:
            if row.reviewed or row.note or row.reviewer:
                self.by_file.setdefault(row.source_file, []).append(row)
        self.orphans: list[dict] = []
        self.carried = 0

    def _orphan(self, row: ReviewRow, why: str) -> None:
        self.orphans.append({"assignment_id": row.assignment_id, "source_file": row.source_file, "line": row.line,
                             "code": row.code, "matched_text": row.matched_text, "decision": row.decision,
                             "recode_to": row.recode_to, "note": row.note, "reviewer": row.reviewer, "why": why,
                             "sheet": row.sheet, "row": row.row})

    def carry(self, result: FileResult, recoded: Recoded) -> tuple[list[Assignment], list[Assignment]]:
        """(the file's assignments with decisions carried, the added rows still found in it)."""
        rows = self.by_file.pop(result.source_file, [])
        by_id = {r.assignment_id: r for r in rows if r.assignment_id}
        assignments = []
        for a in result.assignments:
            row = by_id.pop(a.assignment_id, None)
            if row is None:
                assignments.append(a)
            elif row.recode_to and row.recode_to not in self.codes:
                self._orphan(row, f"recode_to {row.recode_to!r} is no longer a code")
                assignments.append(a)
            else:
                self.carried += 1
                assignments.append(replace(a, decision=row.decision, recode_to=row.recode_to, note=row.note,
                                           reviewer=row.reviewer))
        for row in by_id.values():
            self._orphan(row, "the assignment no longer exists (codebook or transcript changed)")
        added = []
        for row in rows:
            if not row.added:
                continue
            if row.code not in self.codes:
                self._orphan(row, f"code {row.code!r} is no longer in the codebook")
                continue
            located = locate_added(row, recoded, self.review.path)
            if isinstance(located, Problem):
                self._orphan(row, located.problem)
            elif any(a.assignment_id == located.assignment_id for a in result.assignments):
                self._orphan(row, "qcode now codes this passage itself")
            else:
                self.carried += 1
                added.append(located)
        return assignments, added

    def finish(self) -> pd.DataFrame:
        """Orphans, including decisions on files this run did not code."""
        for rows in self.by_file.values():
            for row in rows:
                self._orphan(row, "the file is not coded in this run")
        self.by_file = {}
        return pd.DataFrame(self.orphans, columns=ORPHAN_COLUMNS)
