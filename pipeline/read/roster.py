"""Roster file (.csv or .xlsx) → Roster of interviewees, with problems for bad rows."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from pipeline.errors import Problem, RosterError, did_you_mean, note
from pipeline.models import Interviewee, Roster
from pipeline.read.sheets import read_rows
from pipeline.read.transcripts import is_transcript_name
from pipeline.text.languages import language_tag, unknown_language

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
    extra = [h for h in header if h and h not in REQUIRED and h not in KNOWN]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        meant = [f"{h!r} for {m!r}" for m in missing if (h := did_you_mean(m, extra))]
        raise RosterError(path, f"the roster needs the column{'s' if len(missing) > 1 else ''} {_and(missing)}; "
                          f"it has {_and(h for h in header if h) or 'no named column'}", line=1,
                          hint=(f"did you mean {_and(meant)}? " if meant else "") + "The first row names the "
                               f"columns: {_and(REQUIRED)} (required) and any of {_and(KNOWN)}")
    attribute_columns = [c for c in ("description", "gender", "age_group", "country", "region", "language")
                         if c in header] + extra
    problems: list[Problem] = [
        note(str(path), f"column {h!r} is kept as an attribute; did you mean {meant!r}?", line=1,
             hint=f"rename it {meant!r} if it is that column") for h in extra
        if (meant := did_you_mean(h, [c for c in REQUIRED + KNOWN if c not in header]))]
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
        language = language_tag(values.get("language", ""))
        if language is None:
            problems.append(Problem(str(path), f"interviewee {person_id!r}: {unknown_language(values['language'])}; "
                                    "the language is detected instead", line=line,
                                    hint="write a language tag in the roster's `language` column"))
        labels = tuple(x.strip() for x in _LABEL_SPLIT.split(values.get("speaker_labels", "")) if x.strip())
        people.append(Interviewee(id=person_id, file=file,
                                  groups=tuple(groups) or (UNASSIGNED,), attributes=attributes,
                                  speaker_labels=labels, language=language or "", line=line))
    return Roster(interviewees=people, path=str(path), attribute_columns=attribute_columns, problems=problems)


def _and(names) -> str:
    names = [str(n) for n in names]
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


def file_meant(folder: Path, name: str) -> str:
    """The transcript a roster's `file` that does not exist most likely names, relative to the folder: the same
    name with its extension (`p02` → `p02.md`), else the closest name in its folder; "" when none is close."""
    wanted = Path(name.replace("\\", "/"))
    try:
        names = sorted(p.name for _, p in zip(range(10_000), (folder / wanted).parent.iterdir(), strict=False)
                       if is_transcript_name(p.name) and p.is_file())
    except OSError:
        return ""
    same = [n for n in names if Path(n).stem.casefold() == wanted.stem.casefold()]
    meant = same[0] if same else did_you_mean(wanted.name, names)
    return (wanted.parent / meant).as_posix() if meant else ""


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
    """No roster: every transcript is its own interviewee, in the group `unassigned`.

    The id is the file's name without its extension; where two files in different subfolders share
    that name (a/p01.txt, b/p01.txt), each is named by its path instead (a/p01, b/p01): two
    interviews are never one interviewee.
    """
    stems = Counter(Path(f).stem for f in files)
    people = [Interviewee(id=Path(f).stem if stems[Path(f).stem] == 1 else Path(f).with_suffix("").as_posix(),
                          file=f, groups=(UNASSIGNED,)) for f in files]
    return Roster(interviewees=people, path="", attribute_columns=[])
