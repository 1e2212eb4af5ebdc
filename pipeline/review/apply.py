"""A reviewed desk × the re-coded run → the reviewed coding: rejected rows go, recoded rows move, added rows come in."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace

import pandas as pd

from pipeline.coding.code_file import LineIndex, assignment_id
from pipeline.errors import CappedProblems, Problem, ReviewError, note
from pipeline.models import Assignment
from pipeline.read.documents import page_of
from pipeline.review.reviewed_workbook import ReviewedWorkbook, ReviewRow
from pipeline.runfolder.recode import Recoded


def locate_added(row: ReviewRow, recoded: Recoded, source: str) -> Assignment | Problem:
    """An added row → a full assignment, if its passage is found once (on its line, where the row gives one) in
    the coded speech of its file."""
    result = recoded.results.get(row.source_file)
    place = f"{source}: {row.where()}"
    if result is None:
        return Problem(place, f"added row: {row.source_file!r} is not a transcript of this run",
                       hint="copy source_file from a row qcode wrote, or from the Transcripts sheet")
    found = find_passage(row, result.text, tuple(result.pages), result.unit_spans)
    if isinstance(found, str):
        return Problem(place, f"added row: {found}", hint=_FIND_HINT)
    start, end, index = found
    text = result.text
    unit_start, unit_end, speaker, role = result.unit_spans[index]
    job = recoded.jobs[row.source_file]
    return Assignment(
        assignment_id=assignment_id(row.source_file, row.code, start, end), interviewee_id=job.interviewee_id,
        stakeholder_groups=job.stakeholder_groups, source_file=row.source_file,
        line=LineIndex(text).line_of(start), page=page_of(tuple(result.pages), start) or "",
        char_start=start, char_end=end, speaker=speaker, speaker_role=role, code=row.code, term="",
        matched_text=text[start:end], segment_text=text[unit_start:unit_end],
        context_before="", context_after="", unit=index, segment_start=unit_start,
        decision="add", note=row.note, reviewer=row.reviewer)


_FIND_HINT = ("copy the passage as the transcript writes it (the Transcripts sheet shows each line), and give its "
              "line where it occurs more than once")
MAX_NAMED = 10          # places named when a passage occurs more than once


def find_passage(row: ReviewRow, text: str, pages: tuple[int, ...],
                 units: list) -> tuple[int, int, int] | str:
    """(start, end, unit) of an added row's passage in the coded speech, or what is wrong, as a sentence.

    The passage is found as written, except that any run of spaces and line breaks matches any other (a sentence
    a PDF wraps over two lines, copied as one). With a line, the passage must start on it; with a page (PDF) and no
    line, on that page; with neither, it must occur once in the coded speech of the file.
    """
    words = row.matched_text.split()
    if not words:
        return "the passage (matched_text) is empty"
    pattern = re.compile(r"\s+".join(map(re.escape, words)))
    lines = LineIndex(text)
    low, high, within = 0, len(text), ""
    if row.line is not None:
        span = lines.span_of(row.line, len(text))
        if span is None:
            return f"{row.source_file} has no line {row.line}"
        (low, high), within = span, f" on line {row.line}"
    elif row.page is not None and pages:
        if not 1 <= row.page <= len(pages):
            return f"{row.source_file} has no page {row.page} (it has {len(pages)})"
        low = pages[row.page - 1]
        high = pages[row.page] if row.page < len(pages) else len(text)
        within = f" on page {row.page}"
    starts = [s for s, _, _, _ in units]
    coded, elsewhere = [], []
    for match in pattern.finditer(text, low):
        if match.start() >= high or len(coded) > MAX_NAMED:
            break
        index = bisect_right(starts, match.start()) - 1
        inside = index >= 0 and units[index][1] >= match.end()
        (coded if inside else elsewhere).append((match.start(), match.end(), index))
    if len(coded) == 1 or (coded and row.line is not None):     # on its line: the first there, as typed
        return coded[0]
    passage = _shown(row.matched_text)
    if coded:
        return (f"{passage} occurs {'more than ' if len(coded) > MAX_NAMED else ''}{min(len(coded), MAX_NAMED)} "
                f"times in the coded speech of {row.source_file}{within}: {_places(coded, lines, pages)}; give the "
                "line of the one you mean")
    if elsewhere:
        return (f"{passage} is not in the coded speech of {row.source_file} (it is on "
                f"{_places(elsewhere, lines, pages)}: an interviewer's turn, a heading?); add passages from the "
                "respondent's turns only")
    if not within:
        return f"{passage} does not occur in {row.source_file}"
    others = [m.start() for _, m in zip(range(MAX_NAMED), pattern.finditer(text), strict=False)]
    where = f"; it is on {_places([(s, 0, 0) for s in others], lines, pages)}" if others else ""
    return f"{passage} is not{within} of {row.source_file}{where}"


def _places(found: list[tuple[int, int, int]], lines: LineIndex, pages: tuple[int, ...]) -> str:
    def place(offset: int) -> str:
        page = page_of(pages, offset)
        return (f"p. {page}, " if page else "") + f"line {lines.line_of(offset)}"

    return ", ".join(place(start) for start, _, _ in found[:MAX_NAMED])


def _shown(passage: str) -> str:
    flat = " ".join(passage.split())
    return repr(flat if len(flat) <= 80 else flat[:79] + "…")


@dataclass
class Applied:
    final: list[Assignment]            # the reviewed coding, file by file
    machine: list[Assignment]
    added: list[Assignment]
    rows: dict[str, ReviewRow]         # machine rows present on the desk, by id
    notes: list[Problem] = field(default_factory=list)


def apply_review(review: ReviewedWorkbook, recoded: Recoded) -> Applied:
    """Rejected rows go, recoded rows move, added rows come in; deleted rows keep the machine's coding."""
    machine = [a for result in recoded.results.values() for a in result.assignments]
    known = {a.assignment_id for a in machine}
    rows = {r.assignment_id: r for r in review.rows if r.assignment_id}
    problems = CappedProblems()
    for r in rows.values():
        if r.assignment_id not in known:
            problems.append(Problem(review.path, f"{r.where()}: assignment {r.assignment_id} is not in this run's "
                                    "coding", hint="rows can be sorted, filtered and deleted, not copied from "
                                                   "another run"))
    added: list[Assignment] = []
    repeats: list[ReviewRow] = []
    added_ids: set[str] = set()
    for row in review.rows:
        if row.added:
            located = locate_added(row, recoded, review.path)
            if isinstance(located, Problem):
                problems.append(located)
            elif located.assignment_id in known:
                problems.append(Problem(review.path, f"{row.where()}: qcode already coded this passage as "
                                        f"{row.code!r}", hint="accept that row instead of adding it"))
            elif located.assignment_id in added_ids:
                repeats.append(row)            # the same passage and code added again: one mention, not two
            else:
                added.append(located)
                added_ids.add(located.assignment_id)
    if problems:
        raise ReviewError(review.path, f"{problems.total:,} problem(s) in the reviewed workbook; nothing written",
                          hint="fix the rows named above and save the workbook again", problems=problems)
    final: list[Assignment] = []
    added_by_file: dict[str, list[Assignment]] = {}
    for a in added:
        added_by_file.setdefault(a.source_file, []).append(a)
    for source_file, result in recoded.results.items():
        for a in result.assignments:
            row = rows.get(a.assignment_id)
            if row is None or not row.reviewed:
                final.append(replace(a, note=row.note if row else "", reviewer=row.reviewer if row else ""))
            elif row.recode_to:
                final.append(replace(a, code=row.recode_to, decision=row.decision, recode_to=row.recode_to,
                                     note=row.note, reviewer=row.reviewer))
            elif row.decision == "accept":
                final.append(replace(a, decision="accept", note=row.note, reviewer=row.reviewer))
        final.extend(sorted(added_by_file.get(source_file, []), key=lambda x: (x.char_start, x.code)))
    notes = [note(review.path, f"{len(repeats)} added row(s) repeat a passage already added with the same code "
                  f"(first: {repeats[0].where()}); each passage counts once", hint="delete the repeated rows")
             ] if repeats else []
    return Applied(final, machine, added, rows, notes)


def decisions_table(applied: Applied) -> pd.DataFrame:
    records = []
    for a in applied.machine:
        row = applied.rows.get(a.assignment_id)
        if row is not None and (row.reviewed or row.note):
            records.append({"assignment_id": a.assignment_id, "source_file": a.source_file, "line": a.line,
                            "code": a.code, "matched_text": a.matched_text, "decision": row.decision,
                            "recode_to": row.recode_to, "note": row.note, "reviewer": row.reviewer})
    for a in applied.added:
        records.append({"assignment_id": a.assignment_id, "source_file": a.source_file, "line": a.line,
                        "code": a.code, "matched_text": a.matched_text, "decision": "add", "recode_to": "",
                        "note": a.note, "reviewer": a.reviewer})
    return pd.DataFrame(records, columns=["assignment_id", "source_file", "line", "code", "matched_text",
                                          "decision", "recode_to", "note", "reviewer"])
