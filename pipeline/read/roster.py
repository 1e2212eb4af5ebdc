"""Roster file (.csv or .xlsx) → Roster of interviewees, with problems for bad rows."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.errors import Problem, RosterError
from pipeline.models import Interviewee, Roster
from pipeline.read.sheets import read_rows

REQUIRED = ("interviewee_id", "file", "stakeholder_groups")
KNOWN = ("description", "gender", "age_group", "country", "region", "language", "speaker_labels")
_GROUP_SPLIT = re.compile(r"[,;、，；]")
_LABEL_SPLIT = re.compile(r"[;；|]")
UNASSIGNED = "unassigned"


def find_roster(folder: Path) -> Path | None:
    for name in ("roster.csv", "roster.xlsx"):
        if (folder / name).is_file():
            return folder / name
    return None


MAX_ROSTER_BYTES = 50_000_000   # a roster of 100,000 interviewees is ~10 MB; larger is not a roster


def read_roster(path: Path) -> Roster:
    """Read a roster; raise RosterError if it cannot be used at all, else list row problems."""
    path = Path(path)
    try:
        size = path.stat().st_size if path.is_file() else None
    except OSError:
        size = None
    if size is not None and size > MAX_ROSTER_BYTES:
        raise RosterError(path, f"is {size / 1e6:.1f} MB, more than a roster can be ({MAX_ROSTER_BYTES / 1e6:.0f} MB)",
                          hint="give the roster: one row per interviewee")
    _, rows = read_rows(path, RosterError)
    if not rows:
        raise RosterError(path, "the roster is empty", hint=f"columns: {', '.join(REQUIRED)}")
    header = [_column_name(h) for h in rows[0][1]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RosterError(path, f"the roster has no column {', '.join(repr(m) for m in missing)}", line=1,
                          hint=f"the first row must name the columns: {', '.join(REQUIRED)}, "
                               f"and optionally {', '.join(KNOWN)}")
    extra = [h for h in header if h and h not in REQUIRED and h not in KNOWN]
    attribute_columns = [c for c in ("description", "gender", "age_group", "country", "region", "language")
                         if c in header] + extra
    problems: list[Problem] = []
    people: list[Interviewee] = []
    seen_ids: dict[str, int] = {}
    seen_files: dict[str, str] = {}
    spellings: dict[str, tuple[str, int]] = {}      # group key → (first spelling, line)
    for line, cells in rows[1:]:
        values = {header[i]: cell_text(cells[i]) for i in range(min(len(header), len(cells))) if header[i]}
        if not any(values.values()):
            continue
        person_id = values.get("interviewee_id", "")
        if not person_id:
            problems.append(Problem(str(path), "a row has no interviewee_id: it is left out", line=line,
                                    hint="give every row an id"))
            continue
        if person_id in seen_ids:
            problems.append(Problem(str(path), f"duplicate interviewee_id {person_id!r} (first on line "
                                    f"{seen_ids[person_id]}): this row is left out", line=line,
                                    hint="give each interviewee one row and one id"))
            continue
        seen_ids[person_id] = line
        if not values.get("file"):
            problems.append(Problem(str(path), f"interviewee {person_id!r} has no file: left out", line=line,
                                    hint="name the transcript file, relative to the transcripts folder"))
            continue
        file = values["file"].replace("\\", "/")
        if file in seen_files:
            problems.append(Problem(str(path), f"file {file!r} is already listed for interviewee "
                                    f"{seen_files[file]!r}: this row is left out", line=line,
                                    hint="give each transcript file one row"))
            continue
        seen_files[file] = person_id
        groups = []
        for raw in _GROUP_SPLIT.split(values.get("stakeholder_groups", "")):
            spelling = raw.strip()
            if not spelling:
                continue
            first, first_line = spellings.setdefault(" ".join(spelling.casefold().split()), (spelling, line))
            name = " ".join(first.split())
            if spelling != first:
                problems.append(Problem(str(path), f"stakeholder group {spelling!r} is spelled differently "
                                        f"from {first!r} (line {first_line}): counted as {name!r}",
                                        line=line, hint="spell each group the same way on every row"))
            if name not in groups:
                groups.append(name)
        attributes = {c: values.get(c, "") for c in attribute_columns}
        labels = tuple(x.strip() for x in _LABEL_SPLIT.split(values.get("speaker_labels", "")) if x.strip())
        people.append(Interviewee(id=person_id, file=file,
                                  groups=tuple(groups) or (UNASSIGNED,), attributes=attributes,
                                  speaker_labels=labels, language=values.get("language", ""), line=line))
    return Roster(interviewees=people, path=str(path), attribute_columns=attribute_columns, problems=problems)


def _column_name(value) -> str:
    return "_".join(str(value or "").strip().lower().split())


def cell_text(value) -> str:
    """A spreadsheet or CSV cell as text: empty for None, 7 (not 7.0) for whole numbers."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def roster_from_files(files: list[str]) -> Roster:
    """No roster: every transcript is its own interviewee, in the group `unassigned`."""
    people = [Interviewee(id=Path(f).stem, file=f, groups=(UNASSIGNED,)) for f in files]
    return Roster(interviewees=people, path="", attribute_columns=[])
