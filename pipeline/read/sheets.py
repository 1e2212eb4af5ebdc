"""A .csv or .xlsx sheet → its rows as cell lists, each with its 1-based row number (rosters, score sheets)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.read.archives import MAX_TABLE_UNPACKED, MAX_WORKBOOK_UNPACKED, open_archive

XLSX_SUFFIXES = (".xlsx", ".xlsm")
EXCEL_ROWS = 1_048_576       # Excel's last row: no real sheet has a row beyond it
MAX_COLUMNS = 1_000          # qcode's own sheets have ~30 columns, a roster or score sheet a few dozen
MAX_CELLS = 50_000_000       # declared rows × columns: ~400 MB of padding at most, beyond any real sheet
MAX_TABLE_CELLS = 5_000_000  # a roster or score sheet is read whole: 100,000 interviewees × 50 columns


def read_rows(path: Path, error: type[PipelineError], sheet: str | None = None) -> tuple[str, list[tuple[int, list]]]:
    """(sheet name, rows); a CSV's sheet name is its file name. Raises `error` for an unreadable file."""
    if path.suffix.lower() in XLSX_SUFFIXES:
        return _read_xlsx(path, error, sheet)
    if sheet:
        raise error(path, f"--sheet {sheet!r} given, but a CSV file has no sheets", hint="leave out --sheet")
    return path.name, _read_csv(path, error)


def _read_csv(path: Path, error: type[PipelineError]) -> list[tuple[int, list]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise error(path, f"cannot be read ({exc.strerror})", hint="check the path") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise error(path, "is not UTF-8 or GB18030 text", hint="save it from Excel as CSV UTF-8")
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, count = [], 0
    try:
        for cells in reader:
            if len(cells) > MAX_COLUMNS:
                raise error(path, f"has {len(cells):,} columns on one line, more than a roster or score sheet holds "
                            f"({MAX_COLUMNS:,})", line=reader.line_num, hint="keep one column per attribute")
            rows.append((reader.line_num, cells))
            count += len(cells)
            if count > MAX_TABLE_CELLS:
                _too_many_cells(path, error)
    except csv.Error as exc:
        raise error(path, f"is not valid CSV ({exc})", line=reader.line_num,
                    hint="check the quotes on that line") from None
    return rows


def open_workbook(path: Path, error: type[PipelineError], hint: str = "save it from Excel as .xlsx, or as CSV UTF-8",
                  max_unpacked: int = MAX_WORKBOOK_UNPACKED):
    """A workbook opened read-only with cached values; `error` for a file that is not one.

    Its zip passes the archive checks first (bombs, damage, DTDs): openpyxl would unpack whatever it says.
    `max_unpacked` bounds its parts unpacked together: a reviewed workbook may be large, a roster is not.
    """
    from openpyxl import load_workbook

    def refuse(message: str):
        if message.startswith("is not a zip"):
            message = f"cannot be opened as an Excel workbook ({message.removeprefix('is ')})"
        raise error(path, message, hint=hint)

    with open_archive(path, refuse, "Excel or LibreOffice", max_unpacked):
        pass
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a file that is not xlsx
        raise error(path, f"cannot be opened as an Excel workbook ({type(exc).__name__})", hint=hint) from None
    if not workbook.worksheets:                 # a sheet part missing from the package
        workbook.close()
        raise error(path, "holds no readable sheet", hint=hint)
    for worksheet in workbook.worksheets:
        bound_rows(worksheet)
    return workbook


def sheet_rows(worksheet, path: Path, error: type[PipelineError]):
    """A read-only sheet's rows as value tuples; damaged sheet XML (a bad row number, a shared string that is not
    there, a date that is not one, broken XML) is `error` naming the file and sheet, not openpyxl's exception.

    openpyxl parses a read-only sheet only as its rows are read, so the damage shows here, not when opening.
    """
    rows = worksheet.iter_rows(values_only=True)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # noqa: BLE001 - openpyxl and its XML parser raise many types for damaged XML
            rows.close()
            raise error(path, f"its sheet {worksheet.title!r} is damaged and cannot be read ({type(exc).__name__})",
                        hint="open it in Excel or LibreOffice and save it again as .xlsx") from None
        yield row


def bound_rows(worksheet) -> None:
    """Read no further than Excel's last row, nor wider than MAX_COLUMNS, whatever the sheet's XML claims.

    openpyxl pads every row it reads to the declared width and fills the gap before a row numbered
    beyond the last: a row numbered 10⁹, a dimension of A1:XFD1048576 or one cell in column XFD of
    each row would make billions of empty cells from a sheet of a few bytes.
    """
    if not hasattr(worksheet, "_get_row"):       # not a read-only worksheet (a chart sheet)
        return
    rows, columns = worksheet.max_row, worksheet.max_column
    worksheet._max_row = min(rows or EXCEL_ROWS, EXCEL_ROWS)
    if columns is not None:
        worksheet._max_column = min(columns, MAX_COLUMNS, max(1, MAX_CELLS // worksheet._max_row))
        return
    row_of = worksheet._get_row                  # no declared size: each row as wide as its last cell

    def bounded_row(row, min_col=1, max_col=None, values_only=False):
        if max_col is None and row and row[-1]["column"] > MAX_COLUMNS:
            max_col = MAX_COLUMNS
        return row_of(row, min_col, max_col, values_only)

    worksheet._get_row = bounded_row


def _read_xlsx(path: Path, error: type[PipelineError], sheet: str | None) -> tuple[str, list[tuple[int, list]]]:
    workbook = open_workbook(path, error, max_unpacked=MAX_TABLE_UNPACKED)
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise error(path, f"has no sheet {sheet!r}", hint=f"its sheets: {', '.join(workbook.sheetnames)}")
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        rows, count = [], 0
        for number, cells in enumerate(sheet_rows(worksheet, path, error), start=1):
            rows.append((number, list(cells)))
            count += len(cells)
            if count > MAX_TABLE_CELLS:
                _too_many_cells(path, error)
        return worksheet.title, rows
    finally:
        workbook.close()


def _too_many_cells(path: Path, error: type[PipelineError]):
    raise error(path, f"has more than {MAX_TABLE_CELLS:,} cells, more than a roster or score sheet holds",
                hint="keep one row per interviewee or score in the sheet, and nothing else")
