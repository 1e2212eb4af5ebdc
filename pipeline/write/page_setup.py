"""Column texts → print-ready sheets: widths, wrapped-row heights, landscape when wide, one page wide, header repeated.

Fonts are named (a font without a name prints in a serif fallback in LibreOffice): Calibri, which LibreOffice
replaces by Carlito, Liberation Sans or DejaVu Sans where it is missing; Chinese text falls back to the
system's CJK font (Excel: DengXian or Microsoft YaHei; LibreOffice: Noto Sans CJK or WenQuanYi).
"""

from __future__ import annotations

import functools
import math
import re
import string
import unicodedata

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

FONT_NAME = "Calibri"
CJK_FALLBACK = "Noto Sans CJK SC"       # named in the README; what LibreOffice on Linux uses for Chinese
HEADER_FONT = Font(name=FONT_NAME, family=2, sz=11, bold=True)
BODY_FONT = Font(name=FONT_NAME, family=2, sz=11)
LINE_POINTS = 15.0              # one line of 11 pt text, as Excel spaces it
MAX_ROW_POINTS = 409.0          # Excel's highest row
MIN_WIDTH, MAX_WIDTH = 6.0, 48.0
HEADER_WIDTH = 10.0           # a header longer than this wraps (over two lines) instead of widening its column
PORTRAIT_CM = (21.0 - 2.54, 29.7 - 3.3)     # A4 inside the margins set below: width, height
PORTRAIT_SHRINK = 0.85         # the smallest scale at which a table still prints portrait
CM_PER_WIDTH = 0.19             # one character of column width (Calibri 11) in centimetres
CM_PER_ROW = LINE_POINTS / 72 * 2.54


def text_width(text) -> float:
    """How many characters of column width (widths of a digit) the longest line of a text takes: a Han
    character about two, a lowercase letter or a space less than one."""
    if text is None:
        return 0.0
    return max(_line_width(line) for line in str(text).split("\n"))


_ASCII_HEAVY = str.maketrans("", "", string.digits + string.ascii_uppercase)     # the ASCII of width 1
_NON_ASCII = re.compile("[^\x00-\x7f]")


def _ascii_width(line: str) -> float:
    return 0.75 * len(line) + 0.25 * (len(line) - len(line.translate(_ASCII_HEAVY)))


@functools.cache
def _wide_blocks() -> re.Pattern:
    """The wide characters of the CJK, Hangul and full-width blocks (as unicodedata has them): most of Chinese."""
    ranges, start = [], None
    for low, high in ((0x2E80, 0x9FFF), (0xAC00, 0xD7A3), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF)):
        for point in range(low, high + 2):
            if point <= high and unicodedata.east_asian_width(chr(point)) in "WF":
                start = point if start is None else start
            elif start is not None:
                ranges.append(f"{chr(start)}-{chr(point - 1)}")
                start = None
    return re.compile("[" + "".join(ranges) + "]")


def _line_width(line: str) -> float:
    """The sum of `_char_width` over a line (the same sum: every width is a multiple of 0.25), counted by
    blocks rather than character by character."""
    if line.isascii():
        return _ascii_width(line)
    rest = _wide_blocks().sub("", line)
    others = _NON_ASCII.findall(rest)
    width = 2.0 * (len(line) - len(rest)) + sum(_char_width(ch) for ch in others)
    return width + _ascii_width(_NON_ASCII.sub("", rest) if others else rest)


@functools.cache          # called for every character of every cell a sheet sizes: millions on a corpus desk
def _char_width(ch: str) -> float:
    if unicodedata.east_asian_width(ch) in "WF":
        return 2.0
    return 1.0 if ch.isdigit() or ch.isupper() else 0.75


def lines_needed(text, width: float) -> int:
    """Lines a wrapped text takes in a column `width` characters wide."""
    if text is None or text == "":
        return 1
    usable = max(width - 2.0, 1.0)        # padding, and the end of a line a word did not fit
    text = str(text)
    if "\n" not in text:                  # one line (most cells): no character is wider than 2
        return 1 if 2 * len(text) <= usable else max(1, math.ceil(_line_width(text) / usable))
    return sum(max(1, math.ceil(text_width(line) / usable)) for line in text.split("\n"))


def fitted_width(name: str, values, fixed: dict[str, float]) -> float:
    """A column's width: the fixed one for known columns, else its longest value, bounded; a long header wraps
    rather than widening a column of numbers."""
    if name in fixed:
        return fixed[name]
    word = max((text_width(w) for w in str(name).split()), default=0)     # a header wraps between words only
    header = max(min(text_width(name), HEADER_WIDTH), min(word * 1.15, 16.0)) + 2
    longest = max([header, *(text_width(_shown(v)) * 1.15 + 1.5 for v in values)],
                  default=0)          # 15 % over: Calibri's stand-ins (LibreOffice) are wider
    return round(min(MAX_WIDTH, max(MIN_WIDTH, longest)), 1)


def _shown(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)


def row_points(values: list, widths: list[float], wrapped: list[bool]) -> float | None:
    """The height a row needs for its wrapped cells (None: one line, the default)."""
    return points_of(max((lines_needed(v, w) for v, w, wrap in zip(values, widths, wrapped, strict=True) if wrap),
                         default=1))


def points_of(lines: int) -> float | None:
    """The height of a row of `lines` lines (None: one line, the default)."""
    return None if lines <= 1 else min(MAX_ROW_POINTS, lines * LINE_POINTS + 2)


def orientation(widths: list[float]) -> str:
    """Portrait when the columns fit a portrait page at 85 % or more, else landscape (the text larger)."""
    width_cm = sum(widths) * CM_PER_WIDTH
    return "portrait" if width_cm * PORTRAIT_SHRINK <= PORTRAIT_CM[0] else "landscape"


def set_up_pages(sheet, widths: list[float], title_rows: int = 1) -> None:
    """Page setup of a sheet: one page wide (as many long as it takes) on A4, landscape when wide, the header
    rows repeated on every page, the sheet's name and page number in the footer. Call before the first row is
    written (a write-only sheet writes `fitToPage` with it)."""
    setup = sheet.page_setup
    setup.orientation = orientation(widths)
    setup.paperSize = Worksheet.PAPERSIZE_A4
    setup.fitToWidth, setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.7, header=0.3, footer=0.3)
    if title_rows:
        sheet.print_title_rows = f"1:{title_rows}"
    sheet.HeaderFooter.oddFooter.center.text = "&A — page &P of &N"


def set_print_area(sheet, columns: int, rows: int) -> None:
    """Print the used range: `columns` × `rows` from A1."""
    sheet.print_area = f"A1:{get_column_letter(max(columns, 1))}{max(rows, 1)}"


def chart_span(widths: list[float], first_column: int, width_cm: float, height_cm: float) -> tuple[int, int]:
    """How many columns (from `first_column`, 1-based) and rows a chart of that size covers, so that the print
    area holds it; columns past the table are at Excel's default width."""
    covered, columns = 0.0, 0
    while covered < width_cm:
        index = first_column - 1 + columns
        covered += (widths[index] if index < len(widths) else 8.43) * CM_PER_WIDTH
        columns += 1
    return columns, math.ceil(height_cm / CM_PER_ROW) + 1
