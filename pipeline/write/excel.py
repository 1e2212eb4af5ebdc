"""Tables → Excel sheets, row by row (openpyxl write-only): styled header, print-ready pages, text never a formula
[writes disk]."""

from __future__ import annotations

import re

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.rich_text import CellRichText
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter

from pipeline.write.page_setup import (
    HEADER_FONT,
    chart_span,
    fitted_width,
    lines_needed,
    points_of,
    row_points,
    set_print_area,
    set_up_pages,
    text_width,
)
from pipeline.write.streamed import NOT_XML, RowStream, letters

MAX_ROWS = 1_048_576            # Excel's limit, header row included
MAX_CELL = 32_767               # Excel's limit on characters in one cell
_HEADER_FILL = PatternFill("solid", fgColor="FFDDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="bottom")
_TOP = Alignment(vertical="top")
WIDTHS = {"segment_text": 60, "context_before": 30, "context_after": 30, "matched_text": 18,
          "assignment_id": 18, "source_file": 24, "note": 30, "definition": 44, "terms_en": 32,
          "terms_zh": 24, "exclude": 24, "value": 80, "problem": 70, "hint": 50}
PALETTE = ("4472C4", "ED7D31", "A5A5A5", "FFC000", "5B9BD5", "70AD47", "264478", "9E480E")  # chart series
ID_COLUMNS = ("interviewee_id",)   # written as numbers when every id is a plain whole number




# openpyxl's ILLEGAL_CHARACTERS_RE (control characters) and NOT_XML in one pattern: one pass over a text
_NOT_IN_A_CELL = re.compile(f"{ILLEGAL_CHARACTERS_RE.pattern}|{NOT_XML.pattern}")


def clean(value: str) -> str:
    """Text as Excel can hold it: no control characters (nor U+FFFE, U+FFFF, lone surrogates), at most 32,767
    characters."""
    value = _NOT_IN_A_CELL.sub("\ufffd", value)
    return value if len(value) <= MAX_CELL else value[:MAX_CELL - 1] + "…"


def numeric_ids(ids) -> bool:
    """Whether every id is a plain whole number without leading zeros (1, 2, 12 — not 01, 1.0, a1), short enough
    for Excel to hold exactly; only then are they written as numbers (and read back as the same text)."""
    ids = [str(i) for i in ids]
    return bool(ids) and all(i.isascii() and i.isdigit() and len(i) <= 15 and (i == "0" or i[0] != "0")
                             for i in ids)


class SheetWriter:
    """One write-only sheet with a styled, frozen, filterable header, set up to print one page wide.
    `streamed`: its rows are written by `streamed.RowStream` (the same cells, many times faster; the workbook is
    then saved by `streamed.save_workbook`)."""

    def __init__(self, workbook: Workbook, title: str, columns: list[str], wrap: set[str] = frozenset(),
                 formats: dict[str, str] | None = None, position: int | None = None,
                 widths: list[float] | None = None, freeze: str = "B2", streamed: bool = False):
        self.sheet = workbook.create_sheet(title, position)
        self.formats = formats or {}
        self.columns = columns
        self.rows = 0
        self.widths = widths or [WIDTHS.get(name, max(10, min(len(str(name)) + 2, 28))) for name in columns]
        self.wrap = wrap
        self._wrap_index = [index for index, name in enumerate(columns) if name in wrap]
        self.sheet.freeze_panes = freeze
        for index, width in enumerate(self.widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        set_up_pages(self.sheet, self.widths)
        header = []
        for name in columns:
            cell = WriteOnlyCell(self.sheet, value=clean(str(name)))
            cell.data_type = "s"           # a group, pillar or column name from a file is a name, never a formula
            cell.font, cell.fill, cell.alignment = HEADER_FONT, _HEADER_FILL, _HEADER_ALIGN
            header.append(cell)
        header_points = row_points([str(c) for c in columns], self.widths, [True] * len(columns))
        if header_points is not None:
            self.sheet.row_dimensions[1].height = header_points
        self.sheet.append(header)
        self.stream = RowStream(self.sheet) if streamed else None
        if self.stream is not None:     # each column's style id, in a row of one line and in a higher one
            self._letters = letters(len(columns))
            self.style_ids = [[self.stream.style_id(_WRAP if name in wrap else _TOP if top else None,
                                                  self.formats.get(name)) for name in columns]
                            for top in (False, True)]

    def _points(self, values: list) -> float | None:
        """The height a row needs for the text of its wrapped columns (None: one line). It is set on every higher
        row: LibreOffice does not grow a row for wrapped text, which then runs over the next row."""
        lines = 1
        for index in self._wrap_index:
            value = values[index]
            if isinstance(value, str | CellRichText):
                lines = max(lines, lines_needed(value, self.widths[index]))
        return points_of(lines)

    def cell(self, value, column: str | None = None, top: bool = False):
        """A cell; text is always text (never a formula), whatever it starts with. `top`: aligned to the top
        (in a row higher than one line)."""
        styled = top or column in self.wrap or column in self.formats
        if isinstance(value, CellRichText):
            cell = WriteOnlyCell(self.sheet, value=value)
        elif isinstance(value, str):
            value = clean(value)
            if not styled and not value.startswith(("=", "#")):
                return value           # a plain value: openpyxl stores it as text, without a cell object
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.data_type = "s"
        else:
            if value is not None and pd.isna(value):
                value = None
            if not styled:
                return value
            cell = WriteOnlyCell(self.sheet, value=value)
        if column in self.wrap:
            cell.alignment = _WRAP
        elif top:
            cell.alignment = _TOP
        if column in self.formats:
            cell.number_format = self.formats[column]
        return cell

    def append(self, values: list) -> None:
        row = self.rows + 2
        points = self._points(values)
        if self.stream is not None:
            styles = self.style_ids[points is not None]
            self.stream.write(row, [(letter, _streamed_value(value), style) for letter, value, style
                                    in zip(self._letters, values, styles, strict=True)], points)
            self.rows += 1
            return
        top = points is not None
        if top:
            self.sheet.row_dimensions[row].height = points
        self.sheet.append([self.cell(v, c, top) for v, c in zip(values, self.columns, strict=True)])
        self.sheet.row_dimensions.pop(row, None)       # written: a desk of a million rows keeps none in memory
        self.rows += 1

    def finish(self) -> None:
        last = get_column_letter(len(self.columns))
        self.sheet.auto_filter.ref = f"A1:{last}{self.rows + 1}"
        set_print_area(self.sheet, len(self.columns), self.rows + 1)


def _streamed_value(value):
    """A value as `SheetWriter.cell` gives it to openpyxl: text cleaned, a missing number empty."""
    if isinstance(value, str):
        return clean(value)
    if value is None or isinstance(value, int | CellRichText):
        return value
    return None if pd.isna(value) else value


def write_frame(workbook: Workbook, title: str, frame: pd.DataFrame, index: bool = False,
                color_columns: list[str] | None = None, formats: dict[str, str] | None = None,
                wrap: set[str] = frozenset({"definition"}), position: int | None = None,
                streamed: bool = False) -> SheetWriter:
    """A table as a sheet (at the end, or at `position`); `index`: the frame's index becomes columns.
    Columns are as wide as their longest value up to a bound; longer text wraps, its rows made high enough.
    `streamed`: rows written by `streamed.RowStream` (then the workbook must be saved by `save_workbook`)."""
    if index:
        frame = frame.reset_index()
    columns = [str(c) for c in frame.columns]
    values = [[plain(v) for v in row] for row in frame.itertuples(index=False)]
    for position_, name in enumerate(columns):
        if name in ID_COLUMNS and numeric_ids(row[position_] for row in values):
            for row in values:
                row[position_] = int(row[position_])
    widths = [fitted_width(name, (row[i] for row in values), WIDTHS) for i, name in enumerate(columns)]
    wrap = set(wrap) | {name for i, name in enumerate(columns)      # text longer than its column wraps
                        if any(isinstance(row[i], str) and text_width(row[i]) > widths[i] - 1 for row in values)}
    writer = SheetWriter(workbook, title, columns, wrap=wrap, formats=formats, position=position, widths=widths,
                         streamed=streamed)
    for row in values:
        writer.append(row)
    writer.finish()
    if color_columns and writer.rows:
        first = frame.columns.get_loc(color_columns[0]) + 1
        last = frame.columns.get_loc(color_columns[-1]) + 1
        area = f"{get_column_letter(first)}2:{get_column_letter(last)}{writer.rows + 1}"
        writer.sheet.conditional_formatting.add(
            area, ColorScaleRule(start_type="num", start_value=0, start_color="FFFFFFFF",
                                 end_type="max", end_color="FFF8696B"))
    return writer


def place_chart(writer: SheetWriter, chart) -> None:
    """A chart below the sheet's table (so a page one table wide holds both), inside the print area."""
    first_row = writer.rows + 3
    writer.sheet.add_chart(chart, f"A{first_row}")
    columns, rows = chart_span(writer.widths, 1, chart.width, chart.height)
    set_print_area(writer.sheet, max(columns, len(writer.columns)), first_row + rows)


def plain(value):
    """A numpy scalar as the Python value it holds (openpyxl writes Python values)."""
    if hasattr(value, "item"):
        return value.item()
    return value
