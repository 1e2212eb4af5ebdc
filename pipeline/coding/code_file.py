"""One transcript file → FileResult: read, normalize, segment and match, stage by stage."""

from __future__ import annotations

import hashlib
import re
import time
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.coding.match import Matcher
from pipeline.coding.speakers import decide_roles, speaker_rows
from pipeline.errors import PipelineError, Problem, TranscriptError
from pipeline.models import INTERVIEWER, RESPONDENT, Assignment, FileResult, Transcript
from pipeline.read.documents import page_of
from pipeline.read.transcripts import MAX_TRANSCRIPT_BYTES, file_checksum, read_bytes, read_transcript
from pipeline.read.turns import turn_text
from pipeline.text.normalize import Normalized, detect_script, normalize_text, profile_for
from pipeline.text.segment import Segmented, segment

CONTEXT_CHARS = 150
MAX_SEGMENT = 1000          # a longer unit's segment_text is the match with SEGMENT_WINDOW characters each side
SEGMENT_WINDOW = 400


@dataclass(frozen=True)
class FileJob:
    """Everything needed to code one file: plain values, so a worker process can take it."""

    path: str
    source_file: str
    interviewee_id: str
    stakeholder_groups: str
    language: str = ""             # from the roster
    region: str = ""
    respondent_labels: tuple[str, ...] = ()
    default_language: str = ""     # --language
    sha256: str = ""               # re-coding a run: the bytes must be the ones the run coded


@dataclass(frozen=True)
class Settings:
    unit: str = "sentence"
    include_interviewer: bool = False
    user_dict: str = ""
    segmenter: str = "jieba"       # Chinese words by jieba or rjieba (zh_words: the same words)
    converter: str = "opencc"      # Chinese conversion by OpenCC itself or fast_convert (the same text and offsets)
    keep_units: bool = False       # also return every unit's file span and speaker (for audits)
    cache_dir: str = ""            # segmentation cache folder ("" = no cache)
    cache_environment: str = ""    # cache.environment_key(user_dict, segmenter, converter), once per run
    max_file_bytes: int = MAX_TRANSCRIPT_BYTES


@dataclass
class CodedTurn:
    """A turn after normalization and segmentation (what a cache keeps)."""

    speaker: str
    role: str
    base: int
    speech_map: object
    normalized: Normalized
    segmented: Segmented


@dataclass
class PreparedFile:
    transcript: Transcript
    language: str
    profile: str
    turns: list[CodedTurn] = field(default_factory=list)
    speakers: list[dict] = field(default_factory=list)     # the speaker table (speakers.speaker_rows)


def resolve_language(job: FileJob, transcript: Transcript) -> tuple[str, str]:
    """(language, OpenCC profile): roster, then front matter, then --language, then detected."""
    language = job.language or str(transcript.front_matter.get("language") or "") or job.default_language
    if not language:
        language = detect_script(transcript.text)
    region = job.region or str(transcript.front_matter.get("region") or "")
    return language, profile_for(language, region)


def prepare_file(job: FileJob, settings: Settings, data: bytes, timings: dict) -> PreparedFile:
    """Read, normalize and segment the turns a run codes (the cacheable part)."""
    clock = time.perf_counter()
    transcript = read_transcript(Path(job.path), job.source_file, job.language or job.default_language,
                                 job.respondent_labels, data=data)
    language, profile = resolve_language(job, transcript)
    prepared = PreparedFile(transcript, language, profile)
    timings["read"] = time.perf_counter() - clock
    normalize_time = segment_time = 0.0
    coded: list[CodedTurn] = []
    for turn in transcript.turns:        # every turn, interviewers' too: the speaker table counts their words
        clock = time.perf_counter()
        speech, base, speech_map = turn_text(transcript.text, turn.pieces)
        normalized = normalize_text(speech, profile, settings.converter)
        middle = time.perf_counter()
        segmented = segment(normalized.text, settings.unit, settings.user_dict, settings.segmenter)
        segment_time += time.perf_counter() - middle
        normalize_time += middle - clock
        coded.append(CodedTurn(turn.speaker, turn.role, base, speech_map, normalized, segmented))
    speakers, decided_by, said = decide_roles(transcript, [t.segmented.word_count for t in coded])
    if said is not None:
        transcript.notes.append(said)
    for turn, coded_turn in zip(transcript.turns, coded, strict=True):
        coded_turn.role = turn.role                       # a guessed interviewer's turns
        if turn.role == RESPONDENT or settings.include_interviewer:
            prepared.turns.append(coded_turn)
    prepared.speakers = speaker_rows(job.source_file, speakers, decided_by)
    timings["normalize"] = normalize_time
    timings["segment"] = segment_time
    return prepared


def prepared_file(job: FileJob, settings: Settings, data: bytes, checksum: str,
                  timings: dict) -> tuple[PreparedFile, bool]:
    """The file's normalized and segmented turns, from the segmentation cache where it holds them (True), else
    made here and stored there; `timings` gains the stages' seconds."""
    cache = key = None
    if settings.cache_dir:
        from pipeline.coding.cache import SegmentCache, entry_key

        cache = SegmentCache(settings.cache_dir)
        key = entry_key(settings.cache_environment, checksum, job, settings.unit, settings.include_interviewer)
        clock = time.perf_counter()
        prepared = cache.load(key)
        timings["cache"] = time.perf_counter() - clock
        if prepared is not None:
            timings.update(normalize=0.0, segment=0.0)
            return prepared, True
    prepared = prepare_file(job, settings, data, timings)
    if cache is not None:
        clock = time.perf_counter()
        cache.store(key, prepared)
        timings["cache"] += time.perf_counter() - clock
    return prepared, False


def code_file(job: FileJob, settings: Settings, matcher: Matcher, data: bytes | None = None) -> FileResult:
    """Code one transcript (its bytes read here, or `data` sent with the job); a PipelineError for input that
    cannot be read as a transcript."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    if data is None:
        data = read_bytes(Path(job.path), job.source_file, settings.max_file_bytes)
    checksum = file_checksum(data)
    if job.sha256 and checksum != job.sha256:      # read once: the bytes checked are the bytes coded
        raise TranscriptError(job.source_file, "the transcript changed since the run (its checksum differs from "
                              "the run's record)", hint="restore the file the run coded, or code it again "
                                                        "(`qcode run --reviewed` carries a review over)")
    timings["read_bytes"] = time.perf_counter() - clock
    prepared, cached = prepared_file(job, settings, data, checksum, timings)
    timings["read"] = timings.get("read", 0.0) + timings.pop("read_bytes")
    clock = time.perf_counter()
    result = match_prepared(job, prepared, matcher, checksum, settings.keep_units)
    timings["match"] = time.perf_counter() - clock
    result.timings = timings
    result.cached = cached
    return result


def match_prepared(job: FileJob, prepared: PreparedFile, matcher: Matcher, checksum: str,
                   keep_units: bool = False) -> FileResult:
    transcript = prepared.transcript
    text = transcript.text
    lines = LineIndex(text)
    assignments: list[Assignment] = []
    unit_codes: list[tuple[int, tuple[str, ...]]] = []
    unit_spans: list[tuple[int, int, str, str]] = []
    words = {RESPONDENT: 0, INTERVIEWER: 0}
    unit_offset = 0
    for turn in prepared.turns:
        seg = turn.segmented
        words[turn.role] += seg.word_count
        hits = matcher.find(seg)
        codes_in_unit: dict[int, set[str]] = {}
        for hit in hits:
            start, end = _to_file(turn, hit.start, hit.end)
            unit_start, unit_end = _to_file(turn, *seg.units[hit.unit])
            unit_start, unit_end = min(unit_start, start), max(unit_end, end)
            if unit_end - unit_start > MAX_SEGMENT:       # an endless sentence: the words around the match
                unit_start, unit_end = max(unit_start, start - SEGMENT_WINDOW), min(unit_end, end + SEGMENT_WINDOW)
            if turn.role == RESPONDENT:
                codes_in_unit.setdefault(hit.unit, set()).add(hit.code)
            assignments.append(Assignment(
                assignment_id=assignment_id(job.source_file, hit.code, start, end),
                interviewee_id=job.interviewee_id, stakeholder_groups=job.stakeholder_groups,
                source_file=job.source_file, line=lines.line_of(start), char_start=start, char_end=end,
                speaker=turn.speaker, speaker_role=turn.role, code=hit.code, term=hit.term,
                matched_text=text[start:end], segment_text=text[unit_start:unit_end],
                context_before=_context(text[max(0, unit_start - CONTEXT_CHARS * 2):unit_start], tail=True),
                context_after=_context(text[unit_end:unit_end + CONTEXT_CHARS * 2], tail=False),
                unit=unit_offset + hit.unit, segment_start=unit_start, page=page_of(transcript.pages, start) or ""))
        if keep_units:
            unit_spans.extend((*_to_file(turn, a, b), turn.speaker, turn.role) for a, b in seg.units)
        for unit, codes in sorted(codes_in_unit.items()):
            unit_codes.append((unit_offset + unit, tuple(sorted(codes))))
        unit_offset += len(seg.units)
    respondent_turns = sum(1 for t in transcript.turns if t.role == RESPONDENT)
    return FileResult(
        source_file=job.source_file, interviewee_id=job.interviewee_id, assignments=assignments,
        respondent_words=words[RESPONDENT], interviewer_words=words[INTERVIEWER],
        language=prepared.language, profile=prepared.profile, encoding=transcript.encoding,
        checksum=checksum, units=unit_offset, turns=len(transcript.turns), respondent_turns=respondent_turns,
        problems=list(transcript.notes), unit_codes=unit_codes, unit_spans=unit_spans, text=text,
        speakers=[dict(row) for row in prepared.speakers], pages=transcript.pages)


def _to_file(turn: CodedTurn, start: int, end: int) -> tuple[int, int]:
    """A span of a turn's normalized text → the span of the file text it came from."""
    start, end = turn.normalized.span(start, end)
    if turn.speech_map:
        start, end = turn.speech_map.start(start), turn.speech_map.end(end)
    return turn.base + start, turn.base + end


def assignment_id(source_file: str, code: str, start: int, end: int) -> str:
    """Stable across re-runs of an unchanged file; differs between files and codes."""
    digest = hashlib.sha1(f"{source_file}\x00{code}\x00{start}\x00{end}".encode()).hexdigest()
    return "a" + digest[:15]


_SPACES = re.compile(r"\s+")


def _context(text: str, tail: bool) -> str:
    flat = _SPACES.sub(" ", text).strip()
    if len(flat) <= CONTEXT_CHARS:
        return flat
    cut = flat[-CONTEXT_CHARS:] if tail else flat[:CONTEXT_CHARS]
    return ("…" + cut) if tail else (cut + "…")


class LineIndex:
    """Offset → 1-based line number."""

    def __init__(self, text: str):
        newline = "\n" if "\n" in text or "\r" not in text else "\r"
        self._starts = [m.end() for m in re.finditer(re.escape(newline), text)]

    def line_of(self, offset: int) -> int:
        return bisect_right(self._starts, offset) + 1

    def span_of(self, line: int, length: int) -> tuple[int, int] | None:
        """(start, end) offsets of a 1-based line, or None if the text has no such line."""
        if not 1 <= line <= len(self._starts) + 1:
            return None
        start = self._starts[line - 2] if line > 1 else 0
        end = self._starts[line - 1] if line <= len(self._starts) else length
        return start, end


def safe_code_file(job: FileJob, settings: Settings, matcher: Matcher,
                   data: bytes | None = None) -> FileResult | Problem:
    """code_file, with a bad input returned as a Problem (plain data a worker process can send back)."""
    try:
        return code_file(job, settings, matcher, data)
    except PipelineError as exc:
        return exc.as_problem()
