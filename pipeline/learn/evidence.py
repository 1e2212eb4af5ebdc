"""Reviewed workbooks → the evidence suggestions learn from: every respondent unit's words, and per code the
assignments reviewers accepted, rejected or added (reads the runs' transcripts again, through the cache).

A corrected validation sample (`qcode sample`) counts as a desk whose sampled units were all reviewed: per unit
and code, qcode's mentions accepted where the reviewer left 1 and rejected where 0, and a 1 qcode did not code
the whole unit added (`read_validated_review`).

A run is coded again exactly as `qcode audit` codes it (runfolder.recode: checksums checked, the run's own
options and user dictionary); its files' segmented turns are then read once more (from the segmentation cache
where it holds them) so that any variant of the codebook can be matched against the very words the run coded.
"""

from __future__ import annotations

import re
import tempfile
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.coding.code_file import (
    FileJob,
    LineIndex,
    PreparedFile,
    assignment_id,
    match_prepared,
    prepared_file,
)
from pipeline.coding.corpus import MAX_USER_DICT_BYTES, CodingOptions, coding_settings
from pipeline.coding.match import Matcher
from pipeline.errors import Problem, ReviewError
from pipeline.models import RESPONDENT, Assignment, Code, Codebook
from pipeline.read.documents import page_of
from pipeline.read.sheets import open_workbook
from pipeline.read.transcripts import file_checksum, read_bytes
from pipeline.review.apply import Applied, apply_review
from pipeline.review.reviewed_workbook import ReviewedWorkbook, ReviewRow, read_reviewed
from pipeline.review.validation import ValidatedSample, ValidatedUnit, read_validation
from pipeline.review.validation_sample import RECORD_SHEET as SAMPLE_RECORD_SHEET
from pipeline.review.validation_sample import SAMPLE_SHEET, text_digest
from pipeline.runfolder.recode import Recoded, recode_run
from pipeline.runfolder.texts import run_file_limit
from pipeline.text.segment import HAN_RUN_RE

ACCEPTED, REJECTED, UNREVIEWED, ADDED = "accepted", "rejected", "unreviewed", "added"


@dataclass(frozen=True)
class Word:
    """One word of a unit: a jieba word (simplified) or an English lookup lemma, its surface form (lower-cased)
    and its span in the file text."""

    word: str
    surface: str
    start: int
    end: int
    han: bool


@dataclass
class Unit:
    """One respondent coding unit (sentence or turn) of a file."""

    key: tuple[str, str, int]          # (workbook, source_file, unit index as Assignment.unit counts it)
    start: int
    end: int
    line: int
    words: list[Word]
    gaps: list[str]                    # the text between word i and word i + 1 (as normalized)


@dataclass
class Verdict:
    """A machine assignment of a respondent turn, with what the reviewer made of it for its code."""

    assignment: Assignment
    verdict: str                       # accepted | rejected (rejected, or recoded to another code) | unreviewed
    recode_to: str = ""

    @property
    def unit_key(self) -> tuple[str, str, int]:
        return self.run, self.assignment.source_file, self.assignment.unit

    run: str = ""


@dataclass
class RunEvidence:
    """One reviewed workbook: its run coded again, the review applied, its files' segmented turns."""

    review: ReviewedWorkbook
    recoded: Recoded
    applied: Applied
    prepared: dict[str, tuple[FileJob, PreparedFile, str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return Path(self.review.path).name

    def match(self, codebook: Codebook) -> list[Assignment]:
        """Every respondent mention of `codebook` in the run's files, found in the words the run coded."""
        matcher = Matcher(codebook)
        found = []
        for job, prepared, checksum in self.prepared.values():
            found += [a for a in match_prepared(job, prepared, matcher, checksum).assignments
                      if a.speaker_role == RESPONDENT]
        return found


@dataclass
class Evidence:
    """Every reviewed workbook's units and verdicts, pooled."""

    runs: list[RunEvidence]
    units: dict[tuple[str, str, int], Unit] = field(default_factory=dict)
    verdicts: list[Verdict] = field(default_factory=list)
    positives: dict[str, set] = field(default_factory=dict)      # code → units accepted, added or recoded into
    added: dict[str, set] = field(default_factory=dict)          # code → units holding a passage a reviewer added
    rejected_units: dict[str, set] = field(default_factory=dict)  # code → units where reviewers rejected the code
    coded: dict[str, set] = field(default_factory=dict)          # code → units holding it in the reviewed coding
    machine: dict[str, set] = field(default_factory=dict)        # code → units the machine coded with it
    codebook: Codebook | None = None

    def code_ids(self) -> list[str]:
        return self.codebook.ids if self.codebook else []

    def match(self, codebook: Codebook) -> list[tuple[str, Assignment]]:
        """(run name, assignment) for every respondent mention of `codebook` in every run."""
        return [(run.name, a) for run in self.runs for a in run.match(codebook)]


def read_evidence(paths: list[Path], transcripts: Path | None = None, jobs: int = 1,
                  cache: Path | None = None) -> Evidence:
    """Read each reviewed workbook (only read), code its run again and gather units and verdicts."""
    runs: list[RunEvidence] = []
    seen: dict[str, str] = {}
    for path in paths:
        if is_validation_sample(path):
            _, review, recoded, applied = read_validated_review(path, transcripts, jobs, cache)
        else:
            review, recoded, applied = read_reviewed(path), None, None
        for entry in review.manifest.get("files", []):
            other = seen.setdefault(entry.get("sha256", ""), review.path)
            if other != review.path:
                raise ReviewError(path, f"its transcript {entry.get('source_file')} is also in {other}: a passage "
                                  "would count twice", hint="give one reviewed workbook per run (`qcode audit "
                                                            "--second` compares two reviewers of one run)")
        if recoded is None:
            recoded = recode_run(review.manifest, review.path, transcripts, jobs, cache)
            applied = apply_review(review, recoded)
        run = RunEvidence(review, recoded, applied)
        _prepare(run, transcripts, cache)
        runs.append(run)
    evidence = Evidence(runs, codebook=runs[0].recoded.codebook if runs else None)
    for run in runs:
        _gather(evidence, run)
    return evidence


def is_validation_sample(path: Path) -> bool:
    """Whether a workbook is a validation sample `qcode sample` wrote (not a run's desk); a file that is not a
    workbook is left to the desk's reader to report."""
    try:
        workbook = open_workbook(Path(path), ReviewError)
    except ReviewError:
        return False
    try:
        return SAMPLE_RECORD_SHEET in workbook.sheetnames and "Run" not in workbook.sheetnames
    finally:
        workbook.close()


def read_validated_review(path: Path, transcripts: Path | None, jobs: int, cache: Path | None = None
                          ) -> tuple[ValidatedSample, ReviewedWorkbook, Recoded, Applied]:
    """A corrected validation sample as a desk whose sampled units were all reviewed: its run coded again, per
    sampled unit and code qcode's mentions accepted (reviewer 1) or rejected (0), a 1 where qcode coded nothing
    of that code the whole unit added. Units outside the sample stay unreviewed."""
    sample = read_validation(path)
    recoded = recode_run(sample.manifest, sample.path, transcripts, jobs, cache)
    judged = {(u.source_file, u.unit): u for u in sample.units}
    problems = [Problem(sample.path, f"sheet {SAMPLE_SHEET!r}, row {u.row}: {u.source_file}:{u.line} is not the "
                        "unit the run's transcript gives now", hint="draw the sample again from this run")
                for u in sample.units if not _same_unit(u, recoded)]
    if problems:
        raise ReviewError(sample.path, f"{len(problems)} sampled unit(s) differ from the run coded again",
                          hint="draw the sample again from this run", problems=problems)
    rows, coded = [], set()
    for result in recoded.results.values():
        for a in result.assignments:
            unit = judged.get((a.source_file, a.unit)) if a.speaker_role == RESPONDENT else None
            if unit is not None and a.code in unit.reviewer:
                coded.add((a.source_file, a.unit, a.code))
                rows.append(ReviewRow(SAMPLE_SHEET, unit.row, a.assignment_id, a.source_file, a.line, a.code,
                                      a.matched_text, "accept" if unit.reviewer[a.code] else "reject",
                                      note=unit.comment))
    review = ReviewedWorkbook(sample.path, sample.manifest, rows)
    applied = apply_review(review, recoded)
    for unit in sample.units:
        for code, value in unit.reviewer.items():
            if value and (unit.source_file, unit.unit, code) not in coded:
                added = _whole_unit(unit.source_file, unit.unit, code, recoded, unit.comment)
                applied.added.append(added)
                applied.final.append(added)
                review.rows.append(ReviewRow(SAMPLE_SHEET, unit.row, "", unit.source_file, unit.line, code,
                                             added.matched_text, "add", note=unit.comment))
    return sample, review, recoded, applied


def _same_unit(unit: ValidatedUnit, recoded: Recoded) -> bool:
    """Whether the run coded again still gives the sampled unit: a respondent unit with the same text."""
    result = recoded.results.get(unit.source_file)
    if result is None or not 0 <= unit.unit < len(result.unit_spans):
        return False
    start, end, _, role = result.unit_spans[unit.unit]
    return role == RESPONDENT and text_digest(result.text[start:end]) == text_digest(unit.text)


def _whole_unit(source_file: str, unit: int, code: str, recoded: Recoded, comment: str) -> Assignment:
    """A unit the reviewer coded and qcode did not, as an added mention spanning the whole unit."""
    result, job = recoded.results[source_file], recoded.jobs[source_file]
    start, end, speaker, role = result.unit_spans[unit]
    return Assignment(
        assignment_id=assignment_id(source_file, code, start, end), interviewee_id=job.interviewee_id,
        stakeholder_groups=job.stakeholder_groups, source_file=source_file,
        line=LineIndex(result.text).line_of(start), page=page_of(tuple(result.pages), start) or "",
        char_start=start, char_end=end, speaker=speaker, speaker_role=role, code=code, term="",
        matched_text=result.text[start:end], segment_text=result.text[start:end], context_before="",
        context_after="", unit=unit, segment_start=start, decision="add", note=comment)


def _prepare(run: RunEvidence, transcripts: Path | None, cache: Path | None) -> None:
    """The segmented turns of every file of the run, as recode_run segmented them (same settings, same cache)."""
    manifest = run.review.manifest
    options = manifest.get("options", {})
    inputs = manifest.get("inputs", {})
    limit = run_file_limit(manifest)
    with tempfile.TemporaryDirectory(prefix="qcode-suggest-") as private:
        coding = CodingOptions(transcripts=transcripts or Path(inputs.get("transcripts", "")),
                               unit=options.get("unit", "sentence"), language=options.get("language", ""),
                               include_interviewer=bool(options.get("include_interviewer")),
                               user_dict=_user_dict(inputs.get("user_dict"), Path(private), run.review.path),
                               cache=cache)
        settings = coding_settings(coding, keep_units=True)
        for source_file, job in run.recoded.jobs.items():
            if source_file not in run.recoded.results:
                continue
            data = read_bytes(Path(job.path), source_file, limit)
            checksum = file_checksum(data)
            if checksum != job.sha256:
                raise ReviewError(run.review.path, f"{source_file} changed while qcode read it",
                                  hint="leave the transcripts alone while qcode suggests")
            prepared, _ = prepared_file(job, settings, data, checksum, {})
            run.prepared[source_file] = (job, prepared, checksum)


def _user_dict(entry: dict | None, private: Path, source: str) -> Path | None:
    """The run's user dictionary as a private file: its text travels in the run's record (checked by recode_run
    already); a record of an older qcode names the file, used only while its checksum is the recorded one."""
    if not entry:
        return None
    target = private / "user_dict.txt"
    if isinstance(entry.get("text"), str):
        data = entry["text"].encode("utf-8")
    else:
        recorded = Path(entry.get("path", ""))
        if not recorded.is_file() or recorded.stat().st_size > MAX_USER_DICT_BYTES:
            raise ReviewError(source, f"the run's user dictionary {recorded} is gone or changed",
                              hint="restore the user dictionary the run used")
        data = recorded.read_bytes()
    if file_checksum(data) != entry.get("sha256"):
        raise ReviewError(source, "the run record's user dictionary does not match its checksum",
                          hint="use the workbook qcode wrote; do not edit its Run sheet")
    target.write_bytes(data)
    return target


def _gather(evidence: Evidence, run: RunEvidence) -> None:
    """Units with their words; verdicts; per code the units on each side of the review."""
    for source_file, (_, prepared, _) in run.prepared.items():
        lines = LineIndex(prepared.transcript.text)
        offset = 0
        for turn in prepared.turns:
            seg = turn.segmented
            if turn.role == RESPONDENT:
                for index, (a, b) in enumerate(seg.units):
                    words, gaps = _unit_words(turn, a, b)
                    start, end = _to_file(turn, a, b)
                    key = (run.name, source_file, offset + index)
                    evidence.units[key] = Unit(key, start, end, lines.line_of(start), words, gaps)
            offset += len(seg.units)
    for a in run.applied.machine:
        if a.speaker_role != RESPONDENT:
            continue
        evidence.machine.setdefault(a.code, set()).add((run.name, a.source_file, a.unit))
        row = run.applied.rows.get(a.assignment_id)
        if row is not None and row.recode_to and row.recode_to != a.code:
            verdict = Verdict(a, REJECTED, row.recode_to, run=run.name)
            evidence.positives.setdefault(row.recode_to, set()).add(verdict.unit_key)
        elif row is not None and row.decision == "reject":
            verdict = Verdict(a, REJECTED, run=run.name)
        elif row is not None and (row.decision == "accept" or row.recode_to == a.code):
            verdict = Verdict(a, ACCEPTED, run=run.name)
            evidence.positives.setdefault(a.code, set()).add(verdict.unit_key)
        else:
            verdict = Verdict(a, UNREVIEWED, run=run.name)
        if verdict.verdict == REJECTED:
            evidence.rejected_units.setdefault(a.code, set()).add(verdict.unit_key)
        evidence.verdicts.append(verdict)
    for a in run.applied.added:
        key = (run.name, a.source_file, a.unit)
        evidence.positives.setdefault(a.code, set()).add(key)
        evidence.added.setdefault(a.code, set()).add(key)
    for a in run.applied.final:
        if a.speaker_role == RESPONDENT:
            evidence.coded.setdefault(a.code, set()).add((run.name, a.source_file, a.unit))


def _to_file(turn, start: int, end: int) -> tuple[int, int]:
    """A span of a turn's normalized text → the span of the file text it came from (as code_file maps it)."""
    start, end = turn.normalized.span(start, end)
    if turn.speech_map:
        start, end = turn.speech_map.start(start), turn.speech_map.end(end)
    return turn.base + start, turn.base + end


def _unit_words(turn, unit_start: int, unit_end: int) -> tuple[list[Word], list[str]]:
    """The unit's words in text order — jieba's words of its Han runs, spaCy's English tokens as lemmas — and
    the normalized text between each word and the next (a phrase never spans punctuation)."""
    seg = turn.segmented
    text, bounds = seg.text, seg.bounds
    spans: list[tuple[int, int, str, str, bool]] = []
    for run in HAN_RUN_RE.finditer(text, unit_start, unit_end):
        pos = run.start()
        while pos < run.end():
            nxt = bounds.find(1, pos + 1, run.end() + 1)
            nxt = run.end() if nxt == -1 else nxt
            spans.append((pos, nxt, text[pos:nxt], text[pos:nxt], True))
            pos = nxt
    first = bisect_right(seg.word_starts, unit_start - 1)
    for i in range(first, len(seg.word_starts)):
        if seg.word_starts[i] >= unit_end:
            break
        spans.append((seg.word_starts[i], seg.word_ends[i], seg.word_lemmas[i], seg.word_lowers[i], False))
    spans.sort()
    words = [Word(w, s, *_to_file(turn, a, b), han) for a, b, w, s, han in spans]
    gaps = [text[spans[i][1]:spans[i + 1][0]] for i in range(len(spans) - 1)]
    return words, gaps


def probe(evidence: Evidence, codes: list[Code]) -> list[list[tuple[str, Assignment]]]:
    """Match several variants of codes in one pass: per variant, (run name, mention) of each of its mentions."""
    variants = []
    for index, code in enumerate(codes):
        pid = f"p{index}"
        variants.append(replace(code, id=pid, terms=[replace(t, code=pid) for t in code.terms],
                                excludes=[replace(t, code=pid) for t in code.excludes]))
    found: list[list[tuple[str, Assignment]]] = [[] for _ in codes]
    if variants:
        for run, a in evidence.match(Codebook("probe", "", variants)):
            found[int(a.code[1:])].append((run, a))
    return found


def example(a: Assignment, width: int = 60) -> str:
    """`file:line: …words 【match】 words…`: the mention in its unit, original text, on one line."""
    segment = a.segment_text
    i = max(0, min(len(segment), a.char_start - a.segment_start))
    j = max(i, min(len(segment), a.char_end - a.segment_start))
    before, after = re.sub(r"\s+", " ", segment[:i]).lstrip(), re.sub(r"\s+", " ", segment[j:]).rstrip()
    before = ("…" + before[-width:]) if len(before) > width else before
    after = (after[:width] + "…") if len(after) > width else after
    return f"{a.source_file}:{a.line}: {before}【{segment[i:j]}】{after}".strip()
