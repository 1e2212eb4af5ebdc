"""A reviewed codebook.xlsx → the run's manifest and the reviewer's rows, checked (read only)."""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import CappedProblems, Problem, ReviewError
from pipeline.read.archives import marks_in
from pipeline.read.roster import cell_text
from pipeline.read.sheets import bound_rows, open_workbook, sheet_rows
from pipeline.runfolder.load import manifest_damage
from pipeline.runfolder.run_sheet import MANIFEST_KEY, RECORD_SHEET
from pipeline.runfolder.suggested import SUGGESTED_SHEET, SUGGESTION_DECISIONS
from pipeline.runfolder.workbook import DECISIONS
from pipeline.write.folder import FORMAT_VERSION

REQUIRED = ("assignment_id", "source_file", "line", "code", "matched_text", "decision", "recode_to")
OPTIONAL = ("note", "reviewer", "segment_text", "interviewee_id", "page")
REVIEW_CELLS = ("decision", "recode_to", "note", "reviewer")
_DESK = re.compile(r"^Assignments( \(\d+\))?$")


@dataclass
class ReviewRow:
    """One row of the desk as the reviewer left it."""

    sheet: str
    row: int
    assignment_id: str
    source_file: str
    line: int | None
    code: str
    matched_text: str
    decision: str = ""
    recode_to: str = ""
    note: str = ""
    reviewer: str = ""
    segment_text: str = ""
    page: int | None = None        # a PDF's page, where an added row gives it

    @property
    def reviewed(self) -> bool:
        return bool(self.decision or self.recode_to)

    @property
    def added(self) -> bool:
        return self.decision == "add"

    def where(self) -> str:
        return f"sheet {self.sheet!r}, row {self.row}"


@dataclass
class ReviewedWorkbook:
    path: str
    manifest: dict
    rows: list[ReviewRow] = field(default_factory=list)       # accepted suggestions among them, as added rows
    declined: list[ReviewRow] = field(default_factory=list)   # suggestions rejected on the Suggested sheet

    @property
    def code_ids(self) -> list[str]:
        return list(self.manifest.get("codebook", {}).get("codes", []))

    def reviewers(self) -> list[str]:
        return sorted({r.reviewer for r in self.rows if r.reviewer and r.reviewed})


def read_manifest(workbook, path: str) -> dict:
    """The run record: on the hidden Run record sheet, or (workbooks written before it) on the Run sheet."""
    if "Run" not in workbook.sheetnames:
        raise ReviewError(path, "is not a qcode workbook (no Run sheet)",
                          hint="give the codebook.xlsx of a qcode run folder, as the reviewer saved it")
    record = RECORD_SHEET if RECORD_SHEET in workbook.sheetnames else "Run"
    parts: dict[int, str] = {}
    for number, row in enumerate(sheet_rows(workbook[record], Path(path), ReviewError), start=1):
        key, value = (list(row) + [None, None])[:2]         # a Run sheet cut to one column is still read
        match = re.match(rf"^{MANIFEST_KEY} (\d+)/(\d+)$", cell_text(key)) if number > 1 else None
        if match:
            parts[int(match.group(1))] = "" if value is None else str(value)
    try:
        manifest = json.loads("".join(parts[i] for i in sorted(parts)))
    except (ValueError, KeyError):
        raise ReviewError(path, f"is not a qcode workbook: its {record} sheet has no readable run record",
                          hint=f"give the codebook.xlsx of a qcode run folder; do not edit its {record} sheet"
                          ) from None
    if not isinstance(manifest, dict):
        manifest = {}
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ReviewError(path, f"was written by a qcode of another format ({manifest.get('format_version')!r})",
                          hint="re-run the coding with this qcode and review that workbook")
    if damage := manifest_damage(manifest):
        raise ReviewError(path, f"its {record} sheet's run record is damaged: {damage}",
                          hint=f"use the workbook qcode wrote, as the reviewer saved it; do not edit its {record} "
                               "sheet")
    return manifest


def read_reviewed(path: str | Path) -> ReviewedWorkbook:
    """Read every desk sheet, however the reviewer sorted, filtered, hid or deleted rows."""
    path = Path(path)
    if not path.is_file():
        raise ReviewError(path, "the reviewed workbook does not exist", hint="check the path")
    workbook = open_workbook(path, ReviewError, hint="save it from Excel or LibreOffice as .xlsx")
    try:
        manifest = read_manifest(workbook, str(path))
        codes = set(manifest.get("codebook", {}).get("codes", []))
        desks = [name for name in workbook.sheetnames if _DESK.match(name)]
        if not desks:
            raise ReviewError(path, "has no Assignments sheet", hint="do not rename or delete the Assignments sheet")
        problems = CappedProblems()
        rows: list[ReviewRow] = []
        marks = _sheet_marks(path)
        if marks & set(_MERGE_MARKS):
            raise ReviewError(path, "has merged cells: a merged decision would count for its first row only",
                              hint="unmerge the cells (type the decision in every row it applies to) and save again")
        suggested = [SUGGESTED_SHEET] if SUGGESTED_SHEET in workbook.sheetnames else []
        unsaved = _unsaved_formulas(path, desks + suggested) if marks & set(_FORMULA_MARKS) else {}
        for name in desks:
            rows.extend(_read_desk(workbook[name], name, str(path), codes, problems, unsaved.get(name, {})))
        declined: list[ReviewRow] = []
        for name in suggested:
            for row in _read_suggested(workbook[name], str(path), codes, problems, unsaved.get(name, {})):
                (rows if row.added else declined).append(row)
    finally:
        workbook.close()
    seen: dict[str, ReviewRow] = {}
    for row in rows:
        if row.assignment_id and row.assignment_id in seen:
            first = seen[row.assignment_id]
            problems.append(Problem(str(path), f"{row.where()}: assignment {row.assignment_id} is listed twice "
                                    f"(also {first.where()})", hint="keep one row per assignment_id"))
        elif row.assignment_id:
            seen[row.assignment_id] = row
    if problems:
        raise ReviewError(path, f"{problems.total:,} problem(s) in the reviewed workbook; nothing written",
                          hint="fix the rows named above and save the workbook again", problems=problems)
    return ReviewedWorkbook(str(path), manifest, rows, declined)


_FORMULA_MARKS = (b"<f>", b"<f ")                 # a cell formula in sheet XML (qcode itself never writes one)
_MERGE_MARKS = (b"<mergeCell ", b"<mergeCell>")


def _sheet_marks(path: Path) -> set[bytes]:
    """Which formula and merged-cell marks the sheets' XML holds, in one pass (a desk may be hundreds of MB)."""
    found: set[bytes] = set()
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with archive.open(name) as part:
                    found |= marks_in(part, _FORMULA_MARKS + _MERGE_MARKS)
    return found


def _unsaved_formulas(path: Path, desks: list[str]) -> dict[str, dict[tuple[int, str], str]]:
    """Desk cells of the review columns holding a formula whose value was never saved (openpyxl reads them as
    empty, which would count the row as unreviewed without a word): sheet → (row, column) → formula."""
    from openpyxl import load_workbook

    found: dict[str, dict[tuple[int, str], str]] = {}
    formulas = load_workbook(path, read_only=True, data_only=False)
    values = load_workbook(path, read_only=True, data_only=True)
    try:
        for name in desks:
            for book in (formulas, values):
                bound_rows(book[name])
            rows = zip(sheet_rows(formulas[name], path, ReviewError), sheet_rows(values[name], path, ReviewError),
                       strict=False)
            header = [cell_text(h).lower() for h in next(rows, ((), ()))[0]]
            columns = [(header.index(c), c) for c in REVIEW_CELLS if c in header]
            for number, (written, saved) in enumerate(rows, start=2):
                for index, column in columns:
                    formula = written[index] if index < len(written) else None
                    value = saved[index] if index < len(saved) else None
                    if isinstance(formula, str) and formula.startswith("=") and value in (None, ""):
                        found.setdefault(name, {})[(number, column)] = formula
    finally:
        formulas.close()
        values.close()
    return found


def _read_desk(sheet, name: str, path: str, codes: set[str], problems: list,
               unsaved: dict[tuple[int, str], str]) -> list[ReviewRow]:
    iterator = sheet_rows(sheet, Path(path), ReviewError)
    header = [cell_text(h).lower() for h in next(iterator, [])]
    twice = sorted({c for c in header if c and header.count(c) > 1 and c in REQUIRED + OPTIONAL})
    if twice:
        iterator.close()
        raise ReviewError(path, f"sheet {name!r} has two columns named {', '.join(repr(c) for c in twice)}",
                          hint="keep one column of each name (delete the copy), so no decision is read from the "
                               "wrong one")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        iterator.close()            # a read-only sheet's generator holds the file open until closed
        raise ReviewError(path, f"sheet {name!r} has no column {', '.join(repr(m) for m in missing)}",
                          hint="keep the desk's header row as qcode wrote it (columns may be moved, not renamed)")
    where = {c: header.index(c) for c in REQUIRED + OPTIONAL if c in header}
    rows = []
    for number, values in enumerate(iterator, start=2):
        cell = {c: cell_text(values[i]) if i < len(values) else "" for c, i in where.items()}
        formulas = [(column, unsaved[(number, column)]) for column in REVIEW_CELLS if (number, column) in unsaved]
        if formulas:
            column, formula = formulas[0]
            problems.append(Problem(path, f"sheet {name!r}, row {number}: the {column} cell holds a formula "
                                    f"({formula[:60]!r}) whose value was never saved",
                                    hint="type the value itself (e.g. accept, reject, add), not a formula"))
            continue
        if not any(cell.values()):
            continue
        decision = cell["decision"].lower()
        recode = cell["recode_to"].strip()
        place = f"sheet {name!r}, row {number}"
        if decision and decision not in DECISIONS:
            problems.append(Problem(path, f"{place}: unknown decision {cell['decision']!r}",
                                    hint="use accept, reject or add (or leave it empty)"))
            continue
        if recode and recode not in codes:
            problems.append(Problem(path, f"{place}: recode_to {recode!r} is not a code id of the codebook",
                                    hint=f"choose one of: {', '.join(sorted(codes))}"))
            continue
        numbers = {}
        for column in ("line", "page"):
            try:
                numbers[column] = int(float(cell[column])) if cell.get(column) else None
            except (ValueError, OverflowError):
                problems.append(Problem(path, f"{place}: {column} {cell[column]!r} is not a number",
                                        hint=f"give the {column} number of the passage in the transcript (the "
                                             "Transcripts sheet numbers them), or leave it empty"))
                break
        if len(numbers) < 2:
            continue
        row = ReviewRow(sheet=name, row=number, assignment_id=cell["assignment_id"],
                        source_file=cell["source_file"], line=numbers["line"], code=cell["code"],
                        matched_text=cell["matched_text"], decision=decision, recode_to=recode,
                        note=cell.get("note", ""), reviewer=cell.get("reviewer", ""),
                        segment_text=cell.get("segment_text", ""), page=numbers["page"])
        if row.added:
            if row.assignment_id:
                problems.append(Problem(path, f"{place}: `add` is for rows you type for a missed passage, "
                                        "not for a row qcode wrote", hint="use accept, or recode_to"))
                continue
            lacking = [c for c in ("source_file", "code", "matched_text") if not getattr(row, c)]
            if lacking:
                problems.append(Problem(path, f"{place}: an added row needs {', '.join(lacking)}",
                                        hint="fill source_file, code and the passage in matched_text (and its "
                                             "line where the passage occurs more than once)"))
                continue
            if row.code not in codes:
                problems.append(Problem(path, f"{place}: code {row.code!r} is not a code id of the codebook",
                                        hint=f"choose one of: {', '.join(sorted(codes))}"))
                continue
        elif not row.assignment_id:
            if row.reviewed or row.note:
                problems.append(Problem(path, f"{place}: a row without assignment_id must have decision `add`",
                                        hint="set decision to add, or delete the row"))
            continue
        rows.append(row)
    return rows


_SUGGESTION_CELLS = ("source_file", "line", "code", "matched_text", "decision", "note", "reviewer", "segment_text")


def _read_suggested(sheet, path: str, codes: set[str], problems: list,
                    unsaved: dict[tuple[int, str], str]) -> list[ReviewRow]:
    """The decided rows of the Suggested sheet: an accepted suggestion becomes a row the reviewer added (decision
    `add`), a rejected one keeps `reject`; undecided rows count nowhere."""
    iterator = sheet_rows(sheet, Path(path), ReviewError)
    header = [cell_text(h).lower() for h in next(iterator, [])]
    missing = [c for c in _SUGGESTION_CELLS[:5] if c not in header]
    twice = sorted({c for c in header if c in _SUGGESTION_CELLS and header.count(c) > 1})
    if missing or twice:
        iterator.close()
        what = f"has no column {', '.join(map(repr, missing))}" if missing else \
            f"has two columns named {', '.join(map(repr, twice))}"
        raise ReviewError(path, f"sheet {SUGGESTED_SHEET!r} {what}",
                          hint="keep the Suggested sheet's header row as qcode wrote it (columns may be moved, "
                               "not renamed or copied)")
    where = {c: header.index(c) for c in _SUGGESTION_CELLS if c in header}
    rows = []
    for number, values in enumerate(iterator, start=2):
        place = f"sheet {SUGGESTED_SHEET!r}, row {number}"
        formula = next((c for c in REVIEW_CELLS if (number, c) in unsaved), None)
        if formula:
            problems.append(Problem(path, f"{place}: the {formula} cell holds a formula "
                                    f"({unsaved[(number, formula)][:60]!r}) whose value was never saved",
                                    hint="type accept or reject itself, not a formula"))
            continue
        cell = {c: cell_text(values[i]) if i < len(values) else "" for c, i in where.items()}
        decision = cell["decision"].lower()
        if not decision:
            continue                          # undecided: counts nowhere
        if decision not in SUGGESTION_DECISIONS:
            problems.append(Problem(path, f"{place}: unknown decision {cell['decision']!r} for a suggestion",
                                    hint="use accept (it counts like an added row) or reject, or leave it empty"))
            continue
        lacking = [c for c in ("source_file", "line", "code", "matched_text") if not cell[c]]
        if lacking:
            problems.append(Problem(path, f"{place}: a decided suggestion needs {', '.join(lacking)}",
                                    hint="keep the suggestion's cells as qcode wrote them"))
            continue
        if cell["code"] not in codes:
            problems.append(Problem(path, f"{place}: code {cell['code']!r} is not a code id of the codebook",
                                    hint=f"choose one of: {', '.join(sorted(codes))}"))
            continue
        try:
            line = int(float(cell["line"]))
        except (ValueError, OverflowError):
            problems.append(Problem(path, f"{place}: line {cell['line']!r} is not a number",
                                    hint="keep the suggestion's line as qcode wrote it"))
            continue
        rows.append(ReviewRow(sheet=SUGGESTED_SHEET, row=number, assignment_id="", source_file=cell["source_file"],
                              line=line, code=cell["code"], matched_text=cell["matched_text"],
                              decision="add" if decision == "accept" else "reject", note=cell.get("note", ""),
                              reviewer=cell.get("reviewer", ""), segment_text=cell.get("segment_text", "")))
    return rows
