"""Tables → Excel sheets, row by row (openpyxl write-only): styled header, text never a formula [writes disk]."""

from __future__ import annotations

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.rich_text import CellRichText
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

MAX_ROWS = 1_048_576            # Excel's limit, header row included
MAX_CELL = 32_767               # Excel's limit on characters in one cell
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="FFDDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_WIDTHS = {"segment_text": 60, "context_before": 30, "context_after": 30, "matched_text": 18,
           "assignment_id": 18, "source_file": 24, "note": 30, "definition": 50, "terms_en": 40,
           "terms_zh": 30, "value": 80, "problem": 70, "hint": 50}


def clean(value: str) -> str:
    """Text as Excel can hold it: no control characters, at most 32,767 characters."""
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value if len(value) <= MAX_CELL else value[:MAX_CELL - 1] + "…"


class SheetWriter:
    """One write-only sheet with a styled, frozen, filterable header."""

    def __init__(self, workbook: Workbook, title: str, columns: list[str], wrap: set[str] = frozenset(),
                 formats: dict[str, str] | None = None, position: int | None = None):
        self.sheet = workbook.create_sheet(title, position)
        self.formats = formats or {}
        self.columns = columns
        self.rows = 0
        self.sheet.freeze_panes = "B2"
        for index, name in enumerate(columns, start=1):
            width = _WIDTHS.get(name, max(10, min(len(str(name)) + 2, 28)))
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.wrap = wrap
        header = []
        for name in columns:
            cell = WriteOnlyCell(self.sheet, value=clean(str(name)))
            cell.data_type = "s"           # a group, pillar or column name from a file is a name, never a formula
            cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
            header.append(cell)
        self.sheet.append(header)

    def cell(self, value, column: str | None = None):
        """A cell; text is always text (never a formula), whatever it starts with."""
        styled = column in self.wrap or column in self.formats
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
        if column in self.formats:
            cell.number_format = self.formats[column]
        return cell

    def append(self, values: list) -> None:
        self.sheet.append([self.cell(v, c) for v, c in zip(values, self.columns, strict=True)])
        self.rows += 1

    def finish(self) -> None:
        last = get_column_letter(len(self.columns))
        self.sheet.auto_filter.ref = f"A1:{last}{self.rows + 1}"


def write_frame(workbook: Workbook, title: str, frame: pd.DataFrame, index: bool = False,
                color_columns: list[str] | None = None, formats: dict[str, str] | None = None,
                wrap: set[str] = frozenset({"definition"}), position: int | None = None) -> SheetWriter:
    """A table as a sheet (at the end, or at `position`); `index`: the frame's index becomes columns."""
    if index:
        frame = frame.reset_index()
    writer = SheetWriter(workbook, title, [str(c) for c in frame.columns], wrap=wrap, formats=formats,
                         position=position)
    for row in frame.itertuples(index=False):
        writer.append([plain(v) for v in row])
    writer.finish()
    if color_columns and writer.rows:
        first = frame.columns.get_loc(color_columns[0]) + 1
        last = frame.columns.get_loc(color_columns[-1]) + 1
        area = f"{get_column_letter(first)}2:{get_column_letter(last)}{writer.rows + 1}"
        writer.sheet.conditional_formatting.add(
            area, ColorScaleRule(start_type="num", start_value=0, start_color="FFFFFFFF",
                                 end_type="max", end_color="FFF8696B"))
    return writer


def plain(value):
    """A numpy scalar as the Python value it holds (openpyxl writes Python values)."""
    if hasattr(value, "item"):
        return value.item()
    return value
