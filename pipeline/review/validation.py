"""A corrected validation sample (.xlsx) → per unit qcode's and the reviewer's 0/1 per code, checked against the
sample's record (read only).

`read_validation(path)` is the public reader: rows sorted, filtered or hidden by the reviewer are all read; an
empty code cell is 0; any other value but 0 or 1 is a problem naming the sheet, row and column; a row whose file,
line or text is not what qcode wrote, a row deleted or listed twice, is a problem. Nothing is returned unless
every row is good. Learning from reviewers reads `ValidatedUnit`s from here.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils import get_column_letter

from pipeline.errors import CappedProblems, Problem, ReviewError
from pipeline.read.archives import DAMAGED, marks_in
from pipeline.read.roster import cell_text
from pipeline.read.sheets import bound_rows, open_workbook, sheet_rows
from pipeline.review.validation_sample import (
    COMMENT,
    KIND,
    RECORD_KEY,
    RECORD_SHEET,
    SAMPLE_FORMAT,
    SAMPLE_SHEET,
    text_digest,
)

REQUIRED = ("sample_id", "source_file", "line", "text")


@dataclass
class ValidatedUnit:
    """One unit of a corrected sample: where it is, its text, and the two codings (code id → 0/1)."""

    sample_id: int
    source_file: str
    unit: int                      # index of the coding unit in its file
    line: int
    text: str
    language: str
    interviewee_id: str
    reviewer: dict[str, int]       # as the reviewer left it (an empty cell is 0)
    qcode: dict[str, int]          # as qcode coded it
    comment: str = ""
    row: int = 0                   # the row of the Sample sheet it was read from

    @property
    def qcode_coded(self) -> bool:
        """Whether qcode coded the unit with any code."""
        return any(self.qcode.values())


@dataclass
class ValidatedSample:
    path: str
    record: dict
    units: list[ValidatedUnit] = field(default_factory=list)

    @property
    def code_ids(self) -> list[str]:
        return list(self.record["codebook"]["codes"])

    @property
    def manifest(self) -> dict:
        """The record of the run the sample was drawn from."""
        return self.record.get("run_manifest", {})

    def changed_cells(self) -> int:
        """Code cells where the reviewer's value differs from qcode's."""
        return sum(u.reviewer[c] != u.qcode[c] for u in self.units for c in self.code_ids)

    def untouched(self) -> bool:
        """Whether the sample is as qcode wrote it: no code cell changed, no comment (what --force may replace)."""
        return not self.changed_cells() and not any(u.comment for u in self.units)


def read_validation(path: str | Path) -> ValidatedSample:
    """Read a validation sample as the reviewer saved it; a ReviewError listing every bad row otherwise."""
    path = Path(path)
    if not path.is_file():
        raise ReviewError(path, "the validation workbook does not exist", hint="check the path")
    workbook = open_workbook(path, ReviewError, hint="save it from Excel or LibreOffice as .xlsx")
    try:
        record = _read_record(workbook, path)
        if SAMPLE_SHEET not in workbook.sheetnames:
            raise ReviewError(path, f"has no {SAMPLE_SHEET} sheet", hint=f"do not rename or delete the "
                                                                          f"{SAMPLE_SHEET} sheet")
        problems = CappedProblems()
        units = _read_sample(workbook[SAMPLE_SHEET], path, record, problems)
    finally:
        workbook.close()
    if problems:
        raise ReviewError(path, f"{problems.total:,} problem(s) in the validation workbook; nothing written",
                          hint="fix the rows named above and save the workbook again", problems=problems)
    return ValidatedSample(str(path), record, units)


def _read_record(workbook, path: Path) -> dict:
    if RECORD_SHEET not in workbook.sheetnames:
        raise ReviewError(path, f"is not a qcode validation sample (no {RECORD_SHEET!r} sheet)",
                          hint="give a workbook written by `qcode sample`")
    parts: dict[int, str] = {}
    for row in sheet_rows(workbook[RECORD_SHEET], path, ReviewError):
        key, value = (list(row) + [None, None])[:2]
        match = re.match(rf"^{RECORD_KEY} (\d{{1,9}})/(\d{{1,9}})$", cell_text(key))
        if match:
            parts[int(match.group(1))] = "" if value is None else str(value)
    try:
        record = json.loads("".join(parts[i] for i in sorted(parts)))
    except (ValueError, KeyError, RecursionError):      # RecursionError: JSON nested thousands deep
        record = None
    if not (isinstance(record, dict) and record.get("kind") == KIND and _record_fits(record)):
        raise ReviewError(path, f"its {RECORD_SHEET!r} sheet holds no readable sample record",
                          hint="give the workbook `qcode sample` wrote, as the reviewer saved it; do not edit "
                               f"the {RECORD_SHEET!r} sheet")
    if record.get("sample_format") != SAMPLE_FORMAT:
        raise ReviewError(path, f"was written by a qcode of another sample format ({record.get('sample_format')!r})",
                          hint="draw the sample again with this qcode")
    return record


def _record_fits(record: dict) -> bool:
    """Whether a record has the shapes the reader relies on (a damaged one is a message, never a TypeError)."""
    book, units, files = record.get("codebook"), record.get("units"), record.get("files")
    if not (isinstance(book, dict) and isinstance(book.get("codes"), list)
            and all(isinstance(c, str) for c in book["codes"])):
        return False
    if not (isinstance(files, list) and all(isinstance(f, dict) and isinstance(f.get("source_file"), str)
                                            for f in files)):
        return False
    return isinstance(units, list) and all(
        isinstance(u, list) and len(u) == 6 and all(isinstance(x, int) and not isinstance(x, bool)
                                                    for x in (u[0], u[2], u[3]))
        and isinstance(u[1], str) and isinstance(u[4], str) and isinstance(u[5], list) for u in units)


def _read_sample(sheet, path: Path, record: dict, problems: list) -> list[ValidatedUnit]:
    codes = record["codebook"]["codes"]
    rows = sheet_rows(sheet, path, ReviewError)
    header = [cell_text(h) for h in next(rows, [])]
    wanted = [*REQUIRED, *codes, COMMENT, "interviewee_id"]
    twice = sorted({c for c in header if c in wanted and header.count(c) > 1})
    missing = [c for c in [*REQUIRED, *codes] if c not in header]
    if twice or missing:
        rows.close()
        what = (f"has two columns named {', '.join(map(repr, twice))}" if twice
                else f"has no column {', '.join(map(repr, missing))}")
        raise ReviewError(path, f"sheet {SAMPLE_SHEET!r} {what}",
                          hint="keep the header row as qcode wrote it (columns may be moved, not renamed or copied)")
    where = {c: header.index(c) for c in wanted if c in header}
    formulas = _formula_cells(path, sheet.title) if _has_formulas(path) else set()
    expected = {u[0]: u for u in record["units"]}
    languages = {f["source_file"]: f.get("language", "") for f in record["files"]}
    seen: dict[int, int] = {}
    units = []
    for number, values in enumerate(rows, start=2):
        raw = {c: values[i] if i < len(values) else None for c, i in where.items()}
        cell = {c: cell_text(v) for c, v in raw.items()}
        if not any(cell.values()):
            continue
        place = f"sheet {SAMPLE_SHEET!r}, row {number}"
        entry = expected.get(_whole(cell["sample_id"]))
        if entry is None:
            problems.append(Problem(str(path), f"{place}: sample_id {cell['sample_id']!r} is not a unit of this "
                                    "sample", hint="the rows come from `qcode sample`; do not add rows or change "
                                                   "sample_id"))
            continue
        sample_id, source_file, unit, line, digest, qcode_codes = entry
        if sample_id in seen:
            problems.append(Problem(str(path), f"{place}: unit {sample_id} is listed twice (also row "
                                    f"{seen[sample_id]})", hint="keep one row per sample_id"))
            continue
        seen[sample_id] = number
        if cell["source_file"] != source_file or _whole(cell["line"]) != line or text_digest(cell["text"]) != digest:
            problems.append(Problem(str(path), f"{place}: unit {sample_id} is no longer qcode's (its source_file, "
                                    f"line or text differs from the sample's: {source_file}:{line})",
                                    hint="restore the row's source_file, line and text as `qcode sample` wrote them"))
            continue
        reviewer = {}
        for code in codes:
            letter = get_column_letter(where[code] + 1)
            if (number, where[code]) in formulas:
                problems.append(Problem(str(path), f"{place}, column {letter} ({code}): holds a formula",
                                        hint="type 1 where the code applies, 0 or nothing where it does not"))
                continue
            value = _zero_one(raw[code])
            if value is None:
                problems.append(Problem(str(path), f"{place}, column {letter} ({code}): {cell[code]!r} is not 0, 1 "
                                        "or empty", hint="type 1 where the code applies, 0 or nothing where it "
                                                         "does not"))
                continue
            reviewer[code] = value
        if len(reviewer) < len(codes):
            continue
        units.append(ValidatedUnit(sample_id=sample_id, source_file=source_file, unit=unit, line=line,
                                   text=cell["text"], language=languages.get(source_file, ""),
                                   interviewee_id=cell.get("interviewee_id", ""), reviewer=reviewer,
                                   qcode={c: int(c in qcode_codes) for c in codes},
                                   comment=cell.get(COMMENT, ""), row=number))
    lost = [u for u in record["units"] if u[0] not in seen]
    for sample_id, source_file, _, line, _, _ in lost[:20]:
        problems.append(Problem(str(path), f"sheet {SAMPLE_SHEET!r}: unit {sample_id} ({source_file}:{line}) is "
                                "missing (a deleted row?)", hint="restore it (copy it from the workbook `qcode "
                                                                 "sample` wrote) and review it: the figures need "
                                                                 "every unit of the sample"))
    if len(lost) > 20:
        problems.append(Problem(str(path), f"sheet {SAMPLE_SHEET!r}: {len(lost) - 20} more unit(s) missing"))
    return sorted(units, key=lambda u: u.sample_id)


def _whole(text: str) -> int | None:
    try:
        value = float(text)
    except (ValueError, OverflowError):
        return None
    return int(value) if value.is_integer() else None


def _zero_one(value) -> int | None:
    """0 or 1 from a cell: empty (or spaces) is 0; 0, 1, 0.0, 1.0, "0", "1" as they are; anything else None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if value in (0, 1) else None
    if isinstance(value, str) and value.strip() in ("0", "1"):
        return int(value.strip())
    return None


_FORMULA_MARKS = (b"<f>", b"<f ")


def _has_formulas(path: Path) -> bool:
    """Whether any sheet's XML holds a formula (qcode never writes one), read in blocks."""
    try:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with archive.open(name) as part:
                        if marks_in(part, _FORMULA_MARKS):
                            return True
    except DAMAGED:
        return False
    return False


def _formula_cells(path: Path, title: str) -> set[tuple[int, int]]:
    """(row, 0-based column) of every formula cell of the sheet: a formula in a 0/1 cell is a problem, whatever
    value a spreadsheet saved for it (openpyxl leaves a formula it wrote without one)."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=False)
    try:
        found = set()
        sheet = book[title]
        bound_rows(sheet)
        for row in sheet.iter_rows():
            for cell in row:
                if getattr(cell, "data_type", "") == "f":
                    found.add((cell.row, cell.column - 1))
        return found
    finally:
        book.close()
