"""A reviewed workbook → a reviewed run folder: decisions applied, tallies recomputed, agreement."""

from __future__ import annotations

import datetime as dt
import time
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from .codebook import codebook_from_yaml
from .coding import FileJob, LineIndex, assignment_id
from .errors import Problem, ReviewError
from .match import Matcher
from .models import RESPONDENT, Assignment, FileResult, Roster
from .outputs import RunFolder, check_out_dir, sha256_file
from .publish import collecting, publish, units_of
from .review import ReviewedWorkbook, ReviewRow, read_reviewed
from .reviewers import compare_reviewers
from .roster import read_roster, roster_from_files
from .run_texts import run_file_limit, verified_bytes
from .stats import code_agreement
from .workbook import MAX_ROWS


@dataclass
class AuditOptions:
    reviewed: Path
    out: Path
    second: Path | None = None
    transcripts: Path | None = None     # where the transcripts are now, if they moved
    force: bool = False
    jobs: int = 1


@dataclass
class Recoded:
    """The run re-coded from its inputs, as the workbook's Run sheet describes them."""

    codebook: object
    roster: Roster
    jobs: dict[str, FileJob]
    results: dict[str, FileResult] = field(default_factory=dict)


@dataclass
class AuditReport:
    out: Path
    agreement: pd.DataFrame
    reviewed_rows: int
    reviewers: list[str]


def _moved(path: str, old_root: str, new_root: Path | None) -> Path:
    """A path inside the run's transcripts folder, found in the folder the transcripts moved to."""
    candidate = Path(path)
    if new_root is not None:
        try:
            return new_root / candidate.relative_to(old_root)
        except ValueError:
            pass
    return candidate


def recode_run(manifest: dict, source, transcripts: Path | None, jobs: int) -> Recoded:
    """Code the run `manifest` describes again, refusing inputs whose checksum changed since the run.

    `source` is where the manifest was read (a workbook's Run sheet, a run folder), for messages.
    """
    from .run import RunOptions, _code_all, plan_jobs, run_settings

    inputs = manifest.get("inputs", {})
    old_root = inputs.get("transcripts", "")
    folder = transcripts or Path(old_root)
    problems: list[Problem] = []
    codebook = codebook_from_yaml(manifest["codebook"]["yaml"], f"{source} (Run sheet)")
    if inputs.get("roster"):
        roster_path = _moved(inputs["roster"]["path"], old_root, transcripts)
        if not roster_path.is_file():
            raise ReviewError(source, f"the run's roster {roster_path} is not there any more",
                              hint="give the folder the transcripts and roster moved to with --transcripts")
        if sha256_file(roster_path) != inputs["roster"]["sha256"]:
            problems.append(Problem(str(roster_path), "the roster changed since the run",
                                    hint="restore the roster the run used, or code a new run and review that"))
        roster = read_roster(roster_path)
    else:
        roster = roster_from_files([f["source_file"] for f in manifest.get("files", [])])
    options = manifest.get("options", {})
    user_dict = inputs.get("user_dict") or {}
    run_options = RunOptions(transcripts=folder, codebook=Path(), out=Path(), unit=options.get("unit", "sentence"),
                             language=options.get("language", ""),
                             include_interviewer=bool(options.get("include_interviewer")),
                             user_dict=_moved(user_dict["path"], old_root, transcripts) if user_dict else None,
                             cache=run_cache_dir(manifest))
    coded = {f["source_file"]: f for f in manifest.get("files", [])}
    limit = run_file_limit(manifest)
    problems += [p for p in (verified_bytes(e, folder, limit) for e in coded.values()) if isinstance(p, Problem)]
    planned, _ = plan_jobs(run_options, roster)
    planned = [j for j in planned if j.source_file in coded]
    if problems:
        raise ReviewError(source, f"{len(problems)} input(s) differ from what the run coded; nothing written",
                          hint="the reviewed coding can only be applied to the same transcripts", problems=problems)
    settings = replace(run_settings(run_options, keep_units=True), max_file_bytes=limit)
    recoded = Recoded(codebook, roster, {j.source_file: j for j in planned})
    for result in _code_all(planned, settings, Matcher(codebook), codebook, False, jobs):
        if isinstance(result, Problem):
            raise ReviewError(source, "a transcript of the run cannot be read any more", problems=[result])
        recoded.results[result.source_file] = result
    return recoded


def run_cache_dir(manifest: dict) -> Path | None:
    """The segmentation cache a re-coding of the run uses: the run's own folder where it exists here,
    else this machine's default; none if the run was coded with --no-cache."""
    from .cache import default_cache_dir

    recorded = (manifest.get("cache") or {}).get("folder")
    if not recorded:
        return None
    return Path(recorded) if Path(recorded).is_dir() else default_cache_dir()


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


def apply_review(review: ReviewedWorkbook, recoded: Recoded) -> Applied:
    """Rejected rows go, recoded rows move, added rows come in; deleted rows keep the machine's coding."""
    machine = [a for result in recoded.results.values() for a in result.assignments]
    known = {a.assignment_id for a in machine}
    rows = {r.assignment_id: r for r in review.rows if r.assignment_id}
    problems = [Problem(review.path, f"{r.where()}: assignment {r.assignment_id} is not in this run's coding",
                        hint="rows can be sorted, filtered and deleted, not copied from another run")
                for r in rows.values() if r.assignment_id not in known]
    added: list[Assignment] = []
    for row in review.rows:
        if row.added:
            located = locate_added(row, recoded, review.path)
            if isinstance(located, Problem):
                problems.append(located)
            elif located.assignment_id in known:
                problems.append(Problem(review.path, f"{row.where()}: qcode already coded this passage as "
                                        f"{row.code!r}", hint="accept that row instead of adding it"))
            else:
                added.append(located)
    if problems:
        raise ReviewError(review.path, f"{len(problems)} problem(s) in the reviewed workbook; nothing written",
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
    return Applied(final, machine, added, rows)


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


def run_audit(options: AuditOptions) -> AuditReport:
    """Read the reviewed workbook (only read), re-code, apply, and write a new reviewed run folder."""
    started = time.perf_counter()
    review = read_reviewed(options.reviewed)
    second = read_reviewed(options.second) if options.second else None
    if second is not None and second.manifest.get("files") != review.manifest.get("files"):
        raise ReviewError(options.second, "is the review of another run (its transcripts or checksums differ)",
                          hint="compare two reviews of the same run's workbook")
    check_out_dir(options.out, options.force)
    recoded = recode_run(review.manifest, review.path, options.transcripts, options.jobs)
    applied = apply_review(review, recoded)
    agreement = code_agreement(applied, recoded)
    extra = [("Agreement", "agreement.csv", agreement), ("Decisions", "decisions.csv", decisions_table(applied))]
    if second is not None:
        between, disagreements = compare_reviewers(review, second, recoded)
        extra += [("Reviewer agreement", "reviewer_agreement.csv", between),
                  ("Disagreements", "disagreements.csv", disagreements)]
    manifest = dict(review.manifest)
    manifest["coding"] = "reviewed"
    manifest["created"] = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    manifest["review"] = {"workbook": str(Path(options.reviewed).resolve()),
                          "sha256": sha256_file(Path(options.reviewed)), "reviewers": review.reviewers(),
                          "second": str(Path(options.second).resolve()) if options.second else None,
                          "reviewed_rows": sum(1 for r in review.rows if r.reviewed)}
    folder = RunFolder(options.out)
    try:
        collected = collecting(folder, recoded.codebook.ids, MAX_ROWS)
        by_file: dict[str, list[Assignment]] = {}
        for a in applied.final:
            by_file.setdefault(a.source_file, []).append(a)
        for source_file, result in recoded.results.items():
            collected.add_file(result)
            collected.files[-1]["mentions"] = sum(1 for a in by_file.get(source_file, [])
                                                  if a.speaker_role == RESPONDENT)
            collected.add_assignments(by_file.get(source_file, []))
        collected.unit_codes = units_of(applied.final)
        collected.stream.close()
        manifest["files"] = collected.files
        publish(folder, collected, recoded.codebook, recoded.roster, manifest,
                bool(manifest.get("options", {}).get("include_interviewer")), started, extra=extra)
        out = folder.commit()
    except BaseException:
        folder.discard()
        raise
    return AuditReport(out=out, agreement=agreement, reviewed_rows=manifest["review"]["reviewed_rows"],
                       reviewers=review.reviewers())

