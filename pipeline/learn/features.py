"""Coding units of a coded file → their text and features in one space: Chinese character 1–3-grams (after the
file's OpenCC conversion) and English lemmas and lemma pairs (qcode's own normalization and tokenizer)."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.coding.code_file import LineIndex
from pipeline.models import RESPONDENT, FileResult
from pipeline.text.normalize import normalize_text
from pipeline.text.segment import HAN_RUN_RE, segment

ZH, EN = "zh:", "en:"          # feature prefixes: a Chinese n-gram and an English lemma never share a name
MAX_PASSAGE = 500              # an accepted suggestion adds at most this much of its unit's first line


@dataclass(frozen=True)
class Unit:
    """One respondent coding unit of a coded file, where it is and what it says."""

    source_file: str
    interviewee_id: str
    index: int                 # the unit's number in its file (Assignment.unit)
    start: int
    end: int
    line: int                  # the line the unit starts on
    text: str                  # original text of the unit
    passage: str               # the unit's text on its first line: what an accepted suggestion adds
    features: tuple[str, ...]


def unit_features(text: str, profile: str) -> list[str]:
    """The features of one unit's original text: Chinese character 1–3-grams of each Han run of the simplified
    text, English lemmas and pairs of neighbouring lemmas."""
    normalized = normalize_text(text, profile).text
    features: list[str] = []
    for run in HAN_RUN_RE.finditer(normalized):
        chars = run.group()
        for size in (1, 2, 3):
            features.extend(ZH + chars[i:i + size] for i in range(len(chars) - size + 1))
    latin = HAN_RUN_RE.sub(" ", normalized)       # Chinese is read as characters above, not segmented again
    lemmas = segment(latin, unit="turn").word_lemmas
    features.extend(EN + lemma for lemma in lemmas)
    features.extend(f"{EN}{a} {b}" for a, b in zip(lemmas, lemmas[1:], strict=False))
    return features


def shown(feature: str) -> str:
    """A feature as a reviewer reads it (without its prefix)."""
    return feature.split(":", 1)[1] if feature.startswith((ZH, EN)) else feature


def respondent_units(result: FileResult, only: set[int] | None = None) -> list[Unit]:
    """Every respondent unit of a file coded with `keep_units` (or those numbered in `only`), with its
    features."""
    text = result.text
    lines = LineIndex(text)
    units = []
    for index, (start, end, _speaker, role) in enumerate(result.unit_spans):
        if role != RESPONDENT or (only is not None and index not in only):
            continue
        unit_text = text[start:end]
        first_line = unit_text.split("\n", 1)[0].split("\r", 1)[0].strip()[:MAX_PASSAGE].strip()
        if not first_line:
            continue
        units.append(Unit(result.source_file, result.interviewee_id, index, start, end, lines.line_of(start),
                          unit_text, first_line, tuple(unit_features(unit_text, result.profile))))
    return units
