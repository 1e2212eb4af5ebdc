"""Proposed exclusions and terms ↔ suggestions.xlsx: written for a researcher to tick (`take`), and the ticked
rows read back, checked (reads and writes disk)."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from pipeline.errors import CappedProblems, Problem, ReviewError
from pipeline.read.archives import DAMAGED
from pipeline.read.roster import cell_text
from pipeline.read.sheets import open_workbook, sheet_rows
from pipeline.versions import __version__
from pipeline.write.excel import write_frame
from pipeline.write.folder import check_file_target, default_out_dir, replace_whole

TITLE = "qcode suggestions"      # the workbook's title property: how --force knows a suggestions workbook qcode wrote
_MARK = f">{TITLE}</dc:title>".encode()
EXCLUSIONS, TERMS, ABOUT = "Exclusions", "Terms", "About"
TAKE_YES = frozenset({"yes", "y", "x", "1", "true", "take", "✓", "✔", "是", "要"})
TAKE_NO = frozenset({"", "no", "n", "0", "false", "否", "不要"})
EXCLUSION_COLUMNS = ["take", "code", "term", "exclude", "kind", "term_reviewed", "term_rejected", "term_accepted",
                     "rejected_near", "accepted_near", "fisher_p", "removes", "removes_rejected", "removes_accepted",
                     "removes_unreviewed", "example_1", "example_2", "example_3"]
TERM_COLUMNS = ["take", "code", "term", "target_freq", "reference_freq", "target_units", "g2", "p", "p_adj",
                "log_ratio", "term_of", "finds_units", "already_coded", "finds_added", "would_add",
                "would_add_rejected", "example_1", "example_2", "example_3"]
# A term or exclusion ticked to go into the codebook: a few words (the longest shipped term, with its companions,
# is 85 characters), on one line, without control or direction-changing characters a reader would not see.
MAX_TERM = 200
_UNSEEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_FORMATS = {"fisher_p": "0.0000", "g2": "0.00", "p": "0.0000", "p_adj": "0.0000", "log_ratio": "0.00"}
_WRAP = {"example_1", "example_2", "example_3"}


def default_suggestions_path(base: Path = Path("outputs")) -> Path:
    """outputs/suggestions-DATE_TIME.xlsx, made unique with -2, -3, … (the folder is not created)."""
    return default_out_dir("suggestions", base, suffix=".xlsx")


def written_untouched(path: Path) -> bool:
    """A suggestions workbook qcode wrote in which nobody has ticked a row yet (what --force may replace)."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open("docProps/core.xml") as part:
            if _MARK not in part.read(64 * 1024):
                return False
        return not read_ticked(path)
    except (KeyError, ReviewError, *DAMAGED):
        return False


def check_suggestions_target(out: Path, force: bool) -> None:
    check_file_target(out, force, "suggestions workbook", written_untouched,
                      not_ours="is not a suggestions workbook qcode wrote, or has ticked rows",
                      replaceable="a suggestions workbook qcode wrote and nobody ticked", suffix=".xlsx")


def write_suggestions(out: Path, exclusions: pd.DataFrame, terms: pd.DataFrame, about: list[tuple[str, str]]) -> Path:
    """Exclusions, Terms and About sheets, saved under a hidden name and renamed into place."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = TITLE
    workbook.properties.creator = f"qcode {__version__}"
    write_frame(workbook, EXCLUSIONS, exclusions.reindex(columns=EXCLUSION_COLUMNS), formats=_FORMATS, wrap=_WRAP)
    write_frame(workbook, TERMS, terms.reindex(columns=TERM_COLUMNS), formats=_FORMATS, wrap=_WRAP)
    write_frame(workbook, ABOUT, pd.DataFrame(about, columns=["key", "value"]), wrap={"value"})
    return replace_whole(out, workbook.save)


@dataclass(frozen=True)
class Ticked:
    """A row the researcher ticked: an exclusion or a term (as the row now writes it) for a code."""

    kind: str                      # "exclude" | "term"
    code: str
    text: str
    sheet: str
    row: int

    def where(self) -> str:
        return f"sheet {self.sheet!r}, row {self.row}"


def read_about(path: Path) -> dict[str, str]:
    """The About sheet's key → value (where the suggestions came from)."""
    workbook = open_workbook(path, ReviewError, hint="give the suggestions.xlsx `qcode suggest` wrote")
    try:
        if ABOUT not in workbook.sheetnames:
            return {}
        rows = list(sheet_rows(workbook[ABOUT], path, ReviewError))
    finally:
        workbook.close()
    return {cell_text(r[0]): cell_text(r[1]) for r in rows[1:] if len(r) >= 2 and r[0] is not None}


def read_ticked(path: Path) -> list[Ticked]:
    """Every ticked row of the Exclusions and Terms sheets, however sorted or filtered; a take cell that is
    neither yes nor no, or a ticked row without code or text, is a problem naming sheet and row."""
    path = Path(path)
    if not path.is_file():
        raise ReviewError(path, "the suggestions workbook does not exist", hint="check the path")
    workbook = open_workbook(path, ReviewError, hint="give the suggestions.xlsx `qcode suggest` wrote")
    problems = CappedProblems()
    ticked: list[Ticked] = []
    try:
        if EXCLUSIONS not in workbook.sheetnames and TERMS not in workbook.sheetnames:
            raise ReviewError(path, "is not a suggestions workbook (no Exclusions or Terms sheet)",
                              hint="give the suggestions.xlsx `qcode suggest` wrote")
        for sheet, kind, column in ((EXCLUSIONS, "exclude", "exclude"), (TERMS, "term", "term")):
            if sheet in workbook.sheetnames:
                ticked += _ticked_rows(workbook[sheet], sheet, kind, column, path, problems)
    finally:
        workbook.close()
    if problems:
        raise ReviewError(path, f"{problems.total:,} problem(s) in the suggestions workbook; nothing written",
                          hint="fix the rows named above and save the workbook again", problems=problems)
    return ticked


def _ticked_rows(sheet, name: str, kind: str, column: str, path: Path, problems: list) -> list[Ticked]:
    rows = sheet_rows(sheet, path, ReviewError)
    header = [cell_text(h).lower() for h in next(rows, [])]
    missing = [c for c in ("take", "code", column) if c not in header]
    if missing:
        rows.close()
        raise ReviewError(path, f"sheet {name!r} has no column {', '.join(repr(m) for m in missing)}",
                          hint="keep the header row as qcode wrote it (columns may be moved, not renamed)")
    at = {c: header.index(c) for c in ("take", "code", column)}
    found = []
    for number, values in enumerate(rows, start=2):
        cell = {c: cell_text(values[i]).strip() if i < len(values) else "" for c, i in at.items()}
        take = cell["take"].lower()
        if take in TAKE_NO:
            continue
        if take not in TAKE_YES:
            problems.append(Problem(str(path), f"sheet {name!r}, row {number}: take {cell['take']!r} is neither "
                                    "yes nor blank", hint="write yes (or x) to take the row, leave it blank to not"))
            continue
        if not cell["code"] or not cell[column]:
            problems.append(Problem(str(path), f"sheet {name!r}, row {number}: a ticked row needs its code and "
                                    f"{column}", hint="fill them in, or untick the row"))
            continue
        if odd := next((c for c in ("code", column) if len(cell[c]) > MAX_TERM or _UNSEEN.search(cell[c])), None):
            what = (f"is {len(cell[odd]):,} characters long (at most {MAX_TERM})" if len(cell[odd]) > MAX_TERM
                    else f"holds a line break or an invisible control character "
                         f"(U+{ord(_UNSEEN.search(cell[odd]).group()):04X})")
            problems.append(Problem(str(path), f"sheet {name!r}, row {number}: its {odd} {what}",
                                    hint=f"type the {odd} as a few words on one line, or untick the row"))
            continue
        found.append(Ticked(kind, cell["code"], cell[column], name, number))
    return found
