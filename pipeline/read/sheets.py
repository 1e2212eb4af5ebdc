"""A .csv or .xlsx sheet → its rows as cell lists, each with its 1-based row number (rosters, score sheets)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pipeline.errors import PipelineError

XLSX_SUFFIXES = (".xlsx", ".xlsm")


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
    rows = []
    try:
        for cells in reader:
            rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise error(path, f"is not valid CSV ({exc})", line=reader.line_num,
                    hint="check the quotes on that line") from None
    return rows


def open_workbook(path: Path, error: type[PipelineError], hint: str = "save it from Excel as .xlsx, or as CSV UTF-8"):
    """A workbook opened read-only with cached values; `error` for a file that is not one."""
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a file that is not xlsx
        raise error(path, f"cannot be opened as an Excel workbook ({type(exc).__name__})", hint=hint) from None


def _read_xlsx(path: Path, error: type[PipelineError], sheet: str | None) -> tuple[str, list[tuple[int, list]]]:
    workbook = open_workbook(path, error)
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise error(path, f"has no sheet {sheet!r}", hint=f"its sheets: {', '.join(workbook.sheetnames)}")
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        rows = [(number, list(cells)) for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1)]
        return worksheet.title, rows
    finally:
        workbook.close()
