"""A reviewed desk × the re-coded run → the reviewed coding: rejected rows go, recoded rows move, added rows come in."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field, replace

import pandas as pd

from pipeline.coding.code_file import LineIndex, assignment_id
from pipeline.errors import CappedProblems, Problem, ReviewError, note
from pipeline.models import Assignment
from pipeline.review.reviewed_workbook import ReviewedWorkbook, ReviewRow
from pipeline.runfolder.recode import Recoded


def locate_added(row: ReviewRow, recoded: Recoded, source: str) -> Assignment | Problem:
    """An added row → a full assignment, if its passage is on its line, in coded speech."""
    result = recoded.results.get(row.source_file)
    place = f"{source}: {row.where()}"
    if result is None:
        return Problem(place, f"added row: {row.source_file!r} is not a transcript of this run",
                       hint="copy source_file from a row qcode wrote")
    text = result.text
    span = LineIndex(text).span_of(row.line, len(text))
    if span is None:
        return Problem(place, f"added row: {row.source_file} has no line {row.line}", hint="check the line number")
    line_start, line_end = span
    found = text.find(row.matched_text, line_start, line_end)
    if found < 0:
        return Problem(place, f"added row: {row.matched_text!r} is not on line {row.line} of {row.source_file}",
                       hint="copy the passage exactly as the transcript writes it, and give its line")
    start, end = found, found + len(row.matched_text)
    spans = result.unit_spans
    index = bisect_right([s[0] for s in spans], start) - 1
    if index < 0 or spans[index][1] < end:
        return Problem(place, f"added row: {row.matched_text!r} is not in the coded speech of {row.source_file}",
                       hint="add passages from the respondent's turns only")
    unit_start, unit_end, speaker, role = spans[index]
    job = recoded.jobs[row.source_file]
    return Assignment(
        assignment_id=assignment_id(row.source_file, row.code, start, end), interviewee_id=job.interviewee_id,
        stakeholder_groups=job.stakeholder_groups, source_file=row.source_file, line=row.line,
        char_start=start, char_end=end, speaker=speaker, speaker_role=role, code=row.code, term="",
        matched_text=row.matched_text, segment_text=text[unit_start:unit_end],
        context_before="", context_after="", unit=index, segment_start=unit_start,
        decision="add", note=row.note, reviewer=row.reviewer)


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
