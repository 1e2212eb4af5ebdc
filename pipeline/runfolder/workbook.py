"""Tallies and assignments → codebook.xlsx: the reviewer's desk streamed row by row, the summary sheets around it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import suppress

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pipeline.models import ASSIGNMENT_COLUMNS, Assignment
from pipeline.runfolder.tally import Tallies
from pipeline.write.excel import MAX_ROWS, SheetWriter, clean, write_frame

REVIEW_COLUMNS = ["decision", "recode_to", "note", "reviewer"]
DECISIONS = ["accept", "reject", "add"]
LISTS_SHEET = "Lists"
EXTRA_REVIEW_ROWS = 2000        # room below the machine's rows for rows a reviewer adds
_MATCH_FONT = InlineFont(b=True, color="FFC00000")


def highlighted(segment: str, start: int, end: int):
    """Segment text with the matched words in bold red (rich text)."""
    segment = clean(segment)
    if not (0 <= start < end <= len(segment)):
        return segment
    parts = []
    if start:
        parts.append(segment[:start])
    parts.append(TextBlock(_MATCH_FONT, segment[start:end]))
    if end < len(segment):
        parts.append(segment[end:])
    return CellRichText(parts)


class Desk:
    """The reviewer's desk, written row by row as files are coded: `Assignments`, then
    `Assignments (2)`, … past the row limit. The rest of the workbook is added around it at the
    end (`write_workbook`), so the desk is never held in memory or written twice.
    """

    def __init__(self, code_ids: list[str], max_rows: int = MAX_ROWS):
        self.workbook = Workbook(write_only=True)
        self.code_ids = code_ids
        self.max_rows = max_rows
        self.sheets: list[tuple[str, int]] = []
        self.writer: SheetWriter | None = None

    def add(self, assignments: Iterable[Assignment]) -> None:
        for assignment in assignments:
            if self.writer is None or self.writer.rows >= self.max_rows - 1:
                self._new_sheet()
            values = assignment.row()
            start = assignment.char_start - assignment.segment_start
            values[_SEGMENT] = highlighted(assignment.segment_text, start,
                                           start + (assignment.char_end - assignment.char_start))
            self.writer.append(values + [v or None for v in assignment.review()])

    def _new_sheet(self) -> None:
        if self.writer is not None:
            _finish_desk(self.writer, self.code_ids, extra=0)
            self.sheets.append((self.writer.sheet.title, self.writer.rows))
        title = "Assignments" if self.writer is None else f"Assignments ({len(self.sheets) + 1})"
        self.writer = SheetWriter(self.workbook, title, ASSIGNMENT_COLUMNS + REVIEW_COLUMNS,
                                  wrap={"segment_text", "context_before", "context_after", "note"})

    def discard(self) -> None:
        """A run that failed: close every sheet's temporary file unsaved (openpyxl deletes them at exit)."""
        for sheet in self.workbook.worksheets:
            with suppress(Exception):       # a sheet a failed save already closed
                sheet.close()

    def finish(self) -> list[tuple[str, int]]:
        """Close the last desk sheet (with room for added rows); the desk sheets and their row counts."""
        if self.writer is None:
            self._new_sheet()
        _finish_desk(self.writer, self.code_ids, extra=EXTRA_REVIEW_ROWS)
        self.sheets.append((self.writer.sheet.title, self.writer.rows))
        return self.sheets


_SEGMENT = ASSIGNMENT_COLUMNS.index("segment_text")


def _finish_desk(writer: SheetWriter, code_ids: list[str], extra: int) -> None:
    writer.finish()
    last_row = writer.rows + 1 + extra
    columns = writer.columns
    decision = get_column_letter(columns.index("decision") + 1)
    recode = get_column_letter(columns.index("recode_to") + 1)
    decisions = DataValidation(type="list", formula1=f"{LISTS_SHEET}!$A$2:$A${len(DECISIONS) + 1}",
                               allow_blank=True, showErrorMessage=True, errorTitle="decision",
                               error="Choose accept, reject or add.")
    decisions.add(f"{decision}2:{decision}{last_row}")
    recodes = DataValidation(type="list", formula1=f"{LISTS_SHEET}!$B$2:$B${max(len(code_ids), 1) + 1}",
                             allow_blank=True, showErrorMessage=True, errorTitle="recode_to",
                             error="Choose a code id of the codebook.")
    recodes.add(f"{recode}2:{recode}{last_row}")
    writer.sheet.data_validations.append(decisions)
    writer.sheet.data_validations.append(recodes)


def chart_sheet(workbook: Workbook, by_group: pd.DataFrame, code_ids: list[str]) -> None:
    """Mentions per code by stakeholder group: a code × group table and a native bar chart of it."""
    from openpyxl.chart import BarChart, Reference

    wide = by_group.pivot_table(index="code", columns="stakeholder_group", values="mentions", aggfunc="sum",
                                fill_value=0, sort=False).reindex(code_ids, fill_value=0)
    writer = write_frame(workbook, "Chart", wide, index=True)
    if not code_ids or wide.shape[1] == 0:
        return
    chart = BarChart()
    chart.type, chart.grouping = "col", "clustered"
    chart.title = "Mentions per code by stakeholder group"
    chart.y_axis.title, chart.x_axis.title = "mentions", "code"
    chart.width, chart.height = 24, 12
    chart.add_data(Reference(writer.sheet, min_col=2, max_col=wide.shape[1] + 1, min_row=1,
                             max_row=len(code_ids) + 1), titles_from_data=True)
    chart.set_categories(Reference(writer.sheet, min_col=1, min_row=2, max_row=len(code_ids) + 1))
    writer.sheet.add_chart(chart, f"{get_column_letter(wide.shape[1] + 3)}2")


def lists_sheet(workbook: Workbook, code_ids: list[str]) -> None:
    sheet = workbook.create_sheet(LISTS_SHEET)
    sheet.sheet_state = "hidden"
    sheet.append(["decision", "code"])
    for index in range(max(len(DECISIONS), len(code_ids))):
        sheet.append([DECISIONS[index] if index < len(DECISIONS) else None,
                      code_ids[index] if index < len(code_ids) else None])


MANIFEST_KEY = "manifest"
MANIFEST_PART = 30_000


def run_sheet(workbook: Workbook, manifest: dict, sheets: list[tuple[str, int]]) -> None:
    """What a later command needs (options, codebook, inputs and checksums), as key/value rows.

    The whole manifest is kept as JSON in `manifest` rows of at most 30,000 characters each
    (Excel's cell limit is 32,767), so that `qcode audit` can read it back from the workbook.
    """
    writer = SheetWriter(workbook, "Run", ["key", "value"], wrap={"value"})
    writer.sheet.freeze_panes = "A2"
    text = json.dumps(manifest, ensure_ascii=False, sort_keys=True)
    parts = [text[start:start + MANIFEST_PART] for start in range(0, len(text), MANIFEST_PART)]
    for index, part in enumerate(parts, start=1):
        writer.append([f"{MANIFEST_KEY} {index}/{len(parts)}", part])
    for key in ("format_version", "coding", "created", "qcode_version"):
        writer.append([key, str(manifest.get(key, ""))])
    for key in ("options", "inputs", "versions", "segmenter", "codebook"):
        writer.append([key, json.dumps(manifest.get(key), ensure_ascii=False, sort_keys=True)])
    for entry in manifest.get("files", []):
        writer.append([f"file: {entry['source_file']}", json.dumps(entry, ensure_ascii=False, sort_keys=True)])
    for title, count in sheets:
        writer.append([f"sheet: {title}", f"{count} assignment rows"])
    if len(sheets) > 1:
        writer.append(["overflow", f"more than {MAX_ROWS - 1:,} assignments: the desk continues on "
                                   f"{', '.join(t for t, _ in sheets[1:])}; assignments.csv holds them all"])
    for issue in manifest.get("problems", []) + manifest.get("notes", []):
        where = issue["file"] + (f":{issue['line']}" if issue.get("line") else "")
        text = f"{where}: {issue['problem']}" + (f" → {issue['hint']}" if issue.get("hint") else "")
        writer.append([issue["kind"], text])
    writer.finish()


def write_workbook(path, tallies: Tallies, desk: Desk, manifest: dict,
                   extra: list[tuple[str, pd.DataFrame]] = (), speakers: pd.DataFrame | None = None
                   ) -> list[tuple[str, int]]:
    """Write codebook.xlsx around the desk already written; returns the desk sheets and their row counts."""
    workbook = desk.workbook
    sheets = desk.finish()
    for index, (title, frame) in enumerate([("Codebook", tallies.codebook), *extra]):
        write_frame(workbook, title, frame, position=index)     # before the desk
    write_frame(workbook, "By interviewee", tallies.wide, color_columns=desk.code_ids or None)
    write_frame(workbook, "Presence", tallies.presence, color_columns=desk.code_ids or None)
    write_frame(workbook, "Units", tallies.units, color_columns=desk.code_ids or None)
    write_frame(workbook, "By group", tallies.by_group)
    if tallies.by_country is not None:
        write_frame(workbook, "By country", tallies.by_country)
    write_frame(workbook, "By term", tallies.by_term)
    write_frame(workbook, "Co-occurrence", tallies.cooccurrence, index=True)
    if tallies.interviewer is not None:
        write_frame(workbook, "Interviewer mentions", tallies.interviewer)
    if speakers is not None:
        write_frame(workbook, "Speakers", speakers)
    run_sheet(workbook, manifest, sheets)
    chart_sheet(workbook, tallies.by_group, desk.code_ids)
    lists_sheet(workbook, desk.code_ids)
    workbook.save(path)
    return sheets
