"""A codebook × a corpus → per term its mentions and near misses, per code the words that keep it company
(`qcode check --corpus`).

The corpus is coded as `qcode run` codes it (the same jobs, roster, segmentation cache and Matcher, respondent
speech only), so a term's mentions here are its mentions in by_term.csv. The near-miss rules and the candidate
words are pipeline.coding.near_miss's.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.coding.code_file import CodedTurn, FileJob, LineIndex, PreparedFile, Settings, prepared_file
from pipeline.coding.corpus import CodingOptions, coding_settings, load_inputs
from pipeline.coding.match import Matcher
from pipeline.coding.near_miss import (
    STRADDLES,
    chinese_misses,
    english_index,
    english_misses,
    unit_words,
    worth_counting,
)
from pipeline.coding.pool import in_processes
from pipeline.errors import PipelineError, Problem
from pipeline.models import RESPONDENT, Codebook
from pipeline.read.transcripts import file_checksum, read_bytes
from pipeline.text.normalize import HAN_RE

EXAMPLES = 3                 # example places kept per near miss
CONTEXT = 30                 # characters of the file shown each side of an example
TOP_CANDIDATES = 15
_SPACES = re.compile(r"\s+")


@dataclass
class CorpusCheckOptions:
    codebook: Path
    corpus: Path
    roster: Path | None = None
    jobs: int = 1
    cache: Path | None = None          # segmentation cache folder (None: none)


@dataclass
class FileCheck:
    """What one file adds: mentions per (code, term), near misses with examples, words per coding unit."""

    source_file: str
    matches: Counter = field(default_factory=Counter)             # (code, term) → mentions
    near: dict = field(default_factory=dict)     # (code, term, lang, kind, found, suggestion) → [count, examples]
    code_units: Counter = field(default_factory=Counter)          # code → units holding it
    code_words: dict = field(default_factory=dict)                # code → Counter(word → units of the code holding it)
    all_words: Counter = field(default_factory=Counter)           # word → respondent units holding it


class TermScanner:
    """A codebook compiled for the check: the Matcher, and each distinct term with the codes listing it."""

    def __init__(self, codebook: Codebook):
        self.matcher = Matcher(codebook)
        self.owners: dict[tuple, list[tuple[str, str]]] = {}        # term key → [(code, term as written)]
        english: dict[tuple, tuple] = {}
        for code in codebook.codes:
            for term in code.terms:
                key = ("zh", term.zh) if term.lang == "zh" else ("en", term.words)
                self.owners.setdefault(key, []).append((code.id, term.text))
                if term.lang == "en":
                    english[key] = term.words
        self.zh_by_first: dict[str, list[str]] = {}
        for lang, zh in self.owners:
            if lang == "zh":
                self.zh_by_first.setdefault(zh[0], []).append(zh)
        self.zh_scan = re.compile("[" + "".join(re.escape(c) for c in sorted(self.zh_by_first)) + "]") \
            if self.zh_by_first else None
        self.en_index = english_index(english)
        self.single = [words[0] for words in english.values() if len(words) == 1]
        self._is_term: dict[str, bool] = {}

    def already_a_term(self, word: str) -> bool:
        """A word a term of the codebook already matches (any code's: a Chinese term inside it, or a one-word
        English term)."""
        known = self._is_term.get(word)
        if known is None:
            known = any(zh in word for first in set(word) for zh in self.zh_by_first.get(first, ())) or \
                any(word == p.value if p.kind != "prefix" else word.startswith(p.value) for p in self.single)
            if len(self._is_term) < 200_000:
                self._is_term[word] = known
        return known


def check_file(job: FileJob, settings: Settings, scanner: TermScanner) -> FileCheck:
    """One transcript's respondent turns: mentions, near misses and unit words."""
    data = read_bytes(Path(job.path), job.source_file, settings.max_file_bytes)
    prepared, _ = prepared_file(job, settings, data, file_checksum(data), {})
    lines = LineIndex(prepared.transcript.text)
    found = FileCheck(job.source_file)
    for turn in prepared.turns:
        if turn.role != RESPONDENT:
            continue
        seg = turn.segmented
        hits = scanner.matcher.find(seg)
        spans: dict[int, dict[str, list[tuple[int, int]]]] = {}       # unit → code → its mentions' spans
        for hit in hits:
            found.matches[(hit.code, hit.term)] += 1
            spans.setdefault(hit.unit, {}).setdefault(hit.code, []).append((hit.start, hit.end))
        covered = [(h.code, h.start, h.end) for h in hits]
        misses = [(("zh", zh), *rest) for zh, *rest in chinese_misses(seg, scanner.zh_by_first, scanner.zh_scan)]
        misses += english_misses(seg, scanner.en_index)
        for key, kind, form, suggestion, start, end in misses:
            for code, term in scanner.owners[key]:
                if any(c == code and a <= start and end <= b for c, a, b in covered):
                    continue            # inside a mention of the code (another term of it counts there)
                entry = found.near.setdefault((code, term, key[0], kind, form, suggestion), [0, []])
                entry[0] += 1
                if len(entry[1]) < EXAMPLES:
                    entry[1].append(_example(job.source_file, prepared, lines, turn, start, end))
        _count_words(found, scanner, seg, spans)
    return found


def _count_words(found: FileCheck, scanner: TermScanner, seg, spans: dict) -> None:
    for unit, words in enumerate(unit_words(seg)):
        kept = [(w, a, b) for w, a, b in words if worth_counting(w) and not scanner.already_a_term(w)]
        found.all_words.update({w for w, _, _ in kept})
        for code, places in spans.get(unit, {}).items():
            found.code_units[code] += 1
            company = {w for w, a, b in kept if not any(s < b and a < e for s, e in places)}
            found.code_words.setdefault(code, Counter()).update(company)


def _example(source_file: str, prepared: PreparedFile, lines: LineIndex, turn: CodedTurn, start: int, end: int):
    """(file, line, the file's text around the place with the place in 【】)."""
    start, end = turn.normalized.span(start, end)
    if turn.speech_map:
        start, end = turn.speech_map.start(start), turn.speech_map.end(end)
    start, end = turn.base + start, turn.base + end
    text = prepared.transcript.text
    line_start, line_end = text.rfind("\n", 0, start) + 1, text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    shown = text[max(line_start, start - CONTEXT):start] + "【" + text[start:end] + "】" + \
        text[end:min(line_end, end + CONTEXT)]
    return source_file, lines.line_of(start), _SPACES.sub(" ", shown).strip()


def safe_check_file(job: FileJob, settings: Settings, scanner: TermScanner) -> FileCheck | Problem:
    try:
        return check_file(job, settings, scanner)
    except PipelineError as exc:
        return exc.as_problem()


_worker_state: dict = {}


def _start_worker(settings: Settings, codebook: Codebook) -> None:
    _worker_state["settings"] = settings
    _worker_state["scanner"] = TermScanner(codebook)


def _check_in_worker(job: FileJob):
    return safe_check_file(job, _worker_state["settings"], _worker_state["scanner"])


def _died_twice(job: FileJob) -> Problem:
    return Problem(job.source_file, "the process checking it died twice (killed, or out of memory?); left out",
                   hint="give qcode more memory (fewer --jobs), or split the file")


@dataclass
class CorpusCheck:
    """The whole corpus: mentions per term, near misses, candidate words per code (tables for check.xlsx)."""

    codebook: Codebook
    corpus: Path
    files: int = 0
    issues: list[Problem] = field(default_factory=list)
    matches: Counter = field(default_factory=Counter)
    term_files: Counter = field(default_factory=Counter)
    near: dict = field(default_factory=dict)
    code_units: Counter = field(default_factory=Counter)
    code_words: dict = field(default_factory=dict)
    all_words: Counter = field(default_factory=Counter)

    def add(self, found: FileCheck) -> None:
        self.files += 1
        self.matches.update(found.matches)
        self.term_files.update(found.matches.keys())
        for key, (count, examples) in found.near.items():
            entry = self.near.setdefault(key, [0, []])
            entry[0] += count
            entry[1].extend(examples[:EXAMPLES - len(entry[1])])
        self.code_units.update(found.code_units)
        for code, words in found.code_words.items():
            self.code_words.setdefault(code, Counter()).update(words)
        self.all_words.update(found.all_words)

    @property
    def mentions(self) -> int:
        return sum(self.matches.values())

    def near_misses(self, code: str | None = None) -> list[dict]:
        """Near misses, most frequent first within each code (in codebook order)."""
        order = {c.id: i for i, c in enumerate(self.codebook.codes)}
        rows = []
        for (code_id, term, lang, kind, form, suggestion), (count, examples) in self.near.items():
            if code is None or code_id == code:
                shown = {f"example_{i + 1}": None for i in range(EXAMPLES)}
                shown.update({f"example_{i + 1}": f"{f}:{line}: {text}" for i, (f, line, text) in enumerate(examples)})
                rows.append({"code": code_id, "language": lang, "term": term, "kind": kind, "found": form,
                             "suggestion": suggestion, "count": count, **shown})
        rows.sort(key=lambda r: (order.get(r["code"], 0), -r["count"], r["kind"] == STRADDLES, r["term"], r["found"]))
        return rows

    def candidates(self, code: str, top: int = TOP_CANDIDATES) -> list[dict]:
        """The words most often in the code's units (then the rarer in the corpus first)."""
        words = self.code_words.get(code, Counter())
        ranked = sorted(words.items(), key=lambda kv: (-kv[1], self.all_words[kv[0]], kv[0]))[:top]
        return [{"code": code, "rank": rank, "word": word, "language": "zh" if HAN_RE.search(word) else "en",
                 "units": units, "code_units": self.code_units[code], "corpus_units": self.all_words[word]}
                for rank, (word, units) in enumerate(ranked, start=1)]

    def terms_table(self) -> pd.DataFrame:
        near: Counter = Counter()
        straddles: Counter = Counter()
        suggested: dict[tuple, list[str]] = {}
        for row in self.near_misses():
            key = (row["code"], row["term"])
            (straddles if row["kind"] == STRADDLES else near)[key] += row["count"]
            if row["suggestion"] and row["suggestion"] not in suggested.setdefault(key, []):
                suggested[key].append(row["suggestion"])
        rows = []
        for code in self.codebook.codes:
            for term in code.terms:
                key = (code.id, term.text)
                rows.append([code.id, term.lang, term.text, self.matches[key], self.term_files[key], near[key],
                             straddles[key], "; ".join(suggested.get(key, [])[:5])])
        return pd.DataFrame(rows, columns=["code", "language", "term", "mentions", "files", "near_misses",
                                           "straddles", "suggestions"])

    def near_table(self) -> pd.DataFrame:
        columns = ["code", "language", "term", "kind", "found", "suggestion", "count",
                   *(f"example_{i + 1}" for i in range(EXAMPLES))]
        return pd.DataFrame(self.near_misses(), columns=columns)

    def candidates_table(self) -> pd.DataFrame:
        rows = [row for code in self.codebook.codes for row in self.candidates(code.id)]
        return pd.DataFrame(rows, columns=["code", "rank", "word", "language", "units", "code_units", "corpus_units"])


def check_corpus(options: CorpusCheckOptions) -> CorpusCheck:
    """Code the corpus as `qcode run` would and gather, per term and code, what the check reports."""
    coding = CodingOptions(transcripts=Path(options.corpus), codebook=Path(options.codebook),
                           roster=Path(options.roster) if options.roster else None, jobs=options.jobs,
                           cache=options.cache)
    book, _, jobs, issues = load_inputs(coding)
    settings = coding_settings(coding, keep_units=False)
    result = CorpusCheck(book, Path(options.corpus), issues=[i for i in issues if i not in book.notes])
    if options.jobs <= 1 or len(jobs) < 2:
        scanner = TermScanner(book)
        found = (safe_check_file(job, settings, scanner) for job in jobs)
    else:
        found = in_processes(jobs, _check_in_worker, _start_worker, (settings, book), options.jobs,
                             give_up=_died_twice)
    for one in found:
        if isinstance(one, Problem):
            result.issues.append(one)
        else:
            result.add(one)
    return result

