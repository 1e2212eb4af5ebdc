"""Tallies and assignments → codebook.xlsx: the reviewer's desk streamed row by row, the summary sheets around it."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pipeline.models import ASSIGNMENT_COLUMNS, Assignment
from pipeline.runfolder.run_sheet import run_sheet
from pipeline.runfolder.suggested import write_suggested
from pipeline.runfolder.tally import Tallies
from pipeline.write.excel import MAX_ROWS, SheetWriter, clean, place_chart, write_frame
from pipeline.write.page_setup import FONT_NAME
from pipeline.write.streamed import discard_streams, save_workbook

REVIEW_COLUMNS = ["decision", "recode_to", "note", "reviewer"]
DECISIONS = ["accept", "reject", "add"]
LISTS_SHEET = "Lists"
EXTRA_REVIEW_ROWS = 2000        # room below the machine's rows for rows a reviewer adds
_MATCH_FONT = InlineFont(rFont=FONT_NAME, b=True, color="FFC00000")   # named: else a serif in LibreOffice


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

    def __init__(self, code_ids: list[str], max_rows: int = MAX_ROWS, streamed: bool = True,
                 numbers: bool = False):
        self.workbook = Workbook(write_only=True)
        self.numbers = numbers              # interviewee ids written as numbers (every id a plain whole number)
        self.streamed = streamed            # rows written by write.streamed (False: cell by cell by openpyxl)
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
            if self.numbers:
                values[_ID] = int(values[_ID])
            values[_SEGMENT] = highlighted(assignment.segment_text, start,
                                           start + (assignment.char_end - assignment.char_start))
            self.writer.append(values + [v or None for v in assignment.review()])

    def _new_sheet(self) -> None:
        if self.writer is not None:
            _finish_desk(self.writer, self.code_ids, extra=0)
            self.sheets.append((self.writer.sheet.title, self.writer.rows))
        title = "Assignments" if self.writer is None else f"Assignments ({len(self.sheets) + 1})"
        self.writer = SheetWriter(self.workbook, title, ASSIGNMENT_COLUMNS + REVIEW_COLUMNS,
                                  wrap={"segment_text", "context_before", "context_after", "note"},
                                  streamed=self.streamed)

    def discard(self) -> None:
        """A run that failed: close every sheet's temporary file unsaved (openpyxl deletes them at exit)."""
        for sheet in self.workbook.worksheets:
            with suppress(Exception):       # a sheet a failed save already closed
                sheet.close()
        discard_streams(self.workbook)

    def finish(self) -> list[tuple[str, int]]:
        """Close the last desk sheet (with room for added rows); the desk sheets and their row counts."""
        if self.writer is None:
            self._new_sheet()
        _finish_desk(self.writer, self.code_ids, extra=EXTRA_REVIEW_ROWS)
        self.sheets.append((self.writer.sheet.title, self.writer.rows))
        return self.sheets


_SEGMENT = ASSIGNMENT_COLUMNS.index("segment_text")
_ID = ASSIGNMENT_COLUMNS.index("interviewee_id")


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


def display_labels(codebook: pd.DataFrame) -> dict[str, str]:
    """code id → how a reader knows it: `Equity 公平` (label, then the Chinese label where there is one)."""
    labels = {}
    for row in codebook.itertuples(index=False):
        shown = " ".join(str(t) for t in (row.label, row.label_zh) if isinstance(t, str) and t)
        labels[row.code] = shown or row.code
    return labels


def labelled(frame: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """The table with a `label` column after its `code` column (the id kept in its own column)."""
    frame = frame.reset_index() if frame.index.name == "code" else frame.copy()
    frame.insert(frame.columns.get_loc("code") + 1, "label", [labels.get(c, c) for c in frame["code"]])
    return frame


def codebook_sheet_table(codebook: pd.DataFrame) -> pd.DataFrame:
    """The Codebook sheet: the per-group interviewee columns headed by the group's name alone (`Policy Maker`),
    unless that name is already a column's."""
    taken = {c for c in codebook.columns if not str(c).startswith("interviewees: ")}
    names = {}
    for column in codebook.columns:
        group = str(column).removeprefix("interviewees: ") if str(column).startswith("interviewees: ") else None
        if group and group.strip() and group not in taken:
            names[column] = group
            taken.add(group)
    return codebook.rename(columns=names)


VALIDATED = "validated"


def with_validation(codebook: pd.DataFrame, validation: dict | None) -> pd.DataFrame:
    """The Codebook sheet with a last column `validated`: per code the figures of the codebook's validation sample
    (run.json's `validation`, found by `qcode validate`'s record of the same codebook sha256), when there is one."""
    if not validation or not isinstance(validation.get("codes"), dict) or VALIDATED in codebook.columns:
        return codebook
    lines = validation["codes"]
    return codebook.assign(**{VALIDATED: [str(lines.get(code, "")) for code in codebook["code"]]})


def chart_sheet(workbook: Workbook, by_group: pd.DataFrame, code_ids: list[str], labels: dict[str, str]) -> None:
    """Share of each stakeholder group's interviewees who mention each code: a code × group table (groups of
    different sizes compare as shares, not as counts) and a native bar chart of it below."""
    from openpyxl.chart import BarChart, Reference

    sizes = by_group.drop_duplicates("stakeholder_group").set_index("stakeholder_group")["group_size"]
    shares = by_group.assign(share=by_group["interviewees"] / by_group["group_size"].where(by_group["group_size"] > 0))
    wide = shares.pivot_table(index="code", columns="stakeholder_group", values="share", aggfunc="first",
                              sort=False).reindex(code_ids)
    wide.columns = [f"{g} (n={int(sizes[g])})" for g in wide.columns]
    table = labelled(wide.rename_axis("code"), labels)
    writer = write_frame(workbook, "Chart", table, formats=dict.fromkeys(wide.columns, "0%"))
    if not code_ids or wide.shape[1] == 0:
        return
    chart = BarChart()
    chart.type, chart.grouping = "bar", "clustered"        # horizontal: long labels read across
    chart.title = "Share of each stakeholder group's interviewees who mention the code"
    chart.y_axis.title, chart.x_axis.title = "share of the group's interviewees", "code"
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
    chart.x_axis.scaling.orientation = "maxMin"              # codes top to bottom in the codebook's order
    chart.y_axis.crosses = "max"                             # ... with the share axis still at the bottom
    chart.y_axis.delete = chart.x_axis.delete = False
    chart.width, chart.height = 18, min(40.0, 4 + 0.32 * len(code_ids) * max(2, wide.shape[1]))
    chart.add_data(Reference(writer.sheet, min_col=3, max_col=wide.shape[1] + 2, min_row=1,
                             max_row=len(code_ids) + 1), titles_from_data=True)
    chart.set_categories(Reference(writer.sheet, min_col=2, min_row=2, max_row=len(code_ids) + 1))
    place_chart(writer, chart)


def lists_sheet(workbook: Workbook, code_ids: list[str]) -> None:
    sheet = workbook.create_sheet(LISTS_SHEET)
    sheet.sheet_state = "hidden"
    sheet.append(["decision", "code"])
    for index in range(max(len(DECISIONS), len(code_ids))):
        sheet.append([DECISIONS[index] if index < len(DECISIONS) else None,
                      code_ids[index] if index < len(code_ids) else None])


def write_workbook(path, tallies: Tallies, desk: Desk, manifest: dict,
                   extra: list[tuple[str, pd.DataFrame]] = (), speakers: pd.DataFrame | None = None,
                   suggested: pd.DataFrame | None = None, timings: dict | None = None,
                   transcripts=None) -> list[tuple[str, int]]:
    """Write codebook.xlsx around the desk already written; returns the desk sheets and their row counts.
    `transcripts`: the numbered Transcripts sheet (write.numbered.TranscriptsSheet) streamed beside the desk."""
    workbook = desk.workbook
    sheets = desk.finish()
    if suggested is not None:                   # the second opinion's sheet, right after the desk
        write_suggested(workbook, suggested, LISTS_SHEET)
    if transcripts is not None:                 # then the numbered transcripts, for rows a reviewer adds
        transcripts.finish()
    labels = display_labels(tallies.codebook)
    streamed = desk.streamed                    # the summary sheets' rows too, as the desk's
    codebook = with_validation(codebook_sheet_table(tallies.codebook), manifest.get("validation"))
    for index, (title, frame) in enumerate([("Codebook", codebook), *extra]):
        write_frame(workbook, title, frame, position=index, streamed=streamed)     # before the desk
    write_frame(workbook, "By interviewee", tallies.wide, color_columns=desk.code_ids or None, streamed=streamed)
    write_frame(workbook, "Presence", tallies.presence, color_columns=desk.code_ids or None, streamed=streamed)
    write_frame(workbook, "Units", tallies.units, color_columns=desk.code_ids or None, streamed=streamed)
    write_frame(workbook, "By group", labelled(tallies.by_group, labels), streamed=streamed)
    if tallies.by_country is not None:
        write_frame(workbook, "By country", labelled(tallies.by_country, labels), streamed=streamed)
    write_frame(workbook, "By term", labelled(tallies.by_term, labels), streamed=streamed)
    write_frame(workbook, "Co-occurrence", labelled(tallies.cooccurrence, labels), streamed=streamed)
    if tallies.interviewer is not None:
        write_frame(workbook, "Interviewer mentions", tallies.interviewer, streamed=streamed)
    if speakers is not None:
        write_frame(workbook, "Speakers", speakers, streamed=streamed)
    run_sheet(workbook, manifest, sheets, timings)      # timings of the stages before writing
    chart_sheet(workbook, tallies.by_group, desk.code_ids, labels)
    lists_sheet(workbook, desk.code_ids)
    save_workbook(workbook, path)
    return sheets
