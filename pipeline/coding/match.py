"""Segmented speech × Codebook → mentions (code, term, span in the normalized text, unit)."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import compress
from operator import itemgetter

from pipeline.models import Codebook, Term
from pipeline.text.segment import Segmented

_HEAD = itemgetter(slice(0, 2))             # a word's first two letters


@dataclass(frozen=True)
class Hit:
    code: str
    term: str
    start: int
    end: int
    unit: int


class Matcher:
    """A codebook compiled for fast scanning: one regex for Chinese, word tables for English.

    Each entry is (term, role): role False for a term, True for an exclusion, or the term it accompanies
    for a companion (`term & a | b`: the term counts only in a coding unit where a companion matched too).
    """

    def __init__(self, codebook: Codebook):
        zh: list[tuple[Term, object]] = []
        self._by_lemma: dict[str, list[tuple[Term, object]]] = {}
        self._by_exact: dict[str, list[tuple[Term, object]]] = {}
        self._by_prefix: list[tuple[str, Term, object]] = []
        for code in codebook.codes:
            entries = [(t, False) for t in code.terms] + [(t, True) for t in code.excludes]
            entries += [(c, t) for t in code.terms + code.excludes for c in t.companions]
            for term, excluding in entries:
                if term.lang == "zh":
                    zh.append((term, excluding))
                    continue
                first = term.words[0]
                if first.kind == "lemma":
                    self._by_lemma.setdefault(first.value, []).append((term, excluding))
                elif first.kind == "exact":
                    self._by_exact.setdefault(first.value, []).append((term, excluding))
                else:
                    self._by_prefix.append((first.value, term, excluding))
        self._zh_by_first: dict[str, list[tuple[Term, bool]]] = {}
        for term, excluding in zh:
            self._zh_by_first.setdefault(term.zh[0], []).append((term, excluding))
        self._zh_scan = None
        if zh:
            # Scan for the terms' first characters (a character class is fast), then check the terms there.
            self._zh_scan = re.compile("[" + "".join(re.escape(c) for c in sorted(self._zh_by_first)) + "]")
        self._prefix_scan = self._prefix_heads = None
        if self._by_prefix:
            prefixes = sorted({re.escape(p) for p, _, _ in self._by_prefix}, key=len, reverse=True)
            self._prefix_scan = re.compile("(?:" + "|".join(prefixes) + ")")
            stems = {p for p, _, _ in self._by_prefix}
            if all(len(p) >= 2 for p in stems):
                self._prefix_heads = frozenset(p[:2] for p in stems)

    def find(self, seg: Segmented) -> list[Hit]:
        """Every mention in one turn, overlaps of a code resolved and exclusions applied."""
        raw: list[tuple[Term, bool, int, int, int]] = []
        if self._zh_scan is not None and seg.word_count > len(seg.word_starts):     # the turn has Han words
            self._find_chinese(seg, raw)
        if seg.word_starts:
            self._find_english(seg, raw)
        if any(not isinstance(role, bool) for _, role, _, _, _ in raw) or any(t.companions for t, *_ in raw):
            raw = _with_companions(raw)
        return _resolve(raw)

    def _find_chinese(self, seg: Segmented, raw: list) -> None:
        text, bounds = seg.text, seg.bounds
        starts = [u[0] for u in seg.units]
        for m in self._zh_scan.finditer(text):
            pos = m.start()
            for term, excluding in self._zh_by_first.get(text[pos], ()):
                end = pos + len(term.zh)
                if not text.startswith(term.zh, pos):
                    continue
                whole_words = bounds[pos] and bounds[end]
                inside_one_word = bounds.find(1, pos + 1, end) == -1
                if not (whole_words or inside_one_word):
                    continue          # straddles two words: 公平 in 办公|平台
                unit = max(bisect_right(starts, pos) - 1, 0)
                raw.append((term, excluding, pos, end, unit))

    def _starting_words(self, lowers: list[str], lemmas: list[str]) -> list[int]:
        """The words a term may start at, in order: those whose lemma or lowercase begins a term, or that begin
        with a prefix term's stem (the words' first two letters sift them first) — tested in C over the turn's
        words (compress and map), not one Python step a word."""
        n = len(lowers)
        found = set(compress(range(n), map(self._by_lemma.__contains__, lemmas)))
        found.update(compress(range(n), map(self._by_exact.__contains__, lowers)))
        if self._prefix_scan is not None:
            maybe = range(n) if self._prefix_heads is None else \
                compress(range(n), map(self._prefix_heads.__contains__, map(_HEAD, lowers)))
            found.update(i for i in maybe if self._prefix_scan.match(lowers[i]))
        return sorted(found)

    def _find_english(self, seg: Segmented, raw: list) -> None:
        lowers, lemmas, units = seg.word_lowers, seg.word_lemmas, seg.word_units
        n = len(lowers)
        for i in self._starting_words(lowers, lemmas):
            lower = lowers[i]
            candidates = self._by_lemma.get(lemmas[i], [])
            exact = self._by_exact.get(lower)
            if exact:
                candidates = candidates + exact
            if self._prefix_scan is not None and self._prefix_scan.match(lower):
                candidates = candidates + [(t, x) for p, t, x in self._by_prefix if lower.startswith(p)]
            for term, excluding in candidates:
                last = i + len(term.words) - 1
                if last >= n or units[last] != units[i]:
                    continue
                if all(pattern.matches(lowers[i + k], lemmas[i + k]) for k, pattern in enumerate(term.words)):
                    raw.append((term, excluding, seg.word_starts[i], seg.word_ends[last], units[i]))


def _with_companions(raw: list) -> list:
    """Companion matches leave; a term (or exclusion) that has companions stays only in a unit where one matched."""
    present = {(id(role), unit) for _, role, _, _, unit in raw if not isinstance(role, bool)}
    return [entry for entry in raw if isinstance(entry[1], bool)
            and (not entry[0].companions or (id(entry[0]), entry[4]) in present)]


def _resolve(raw: list[tuple[Term, bool, int, int, int]]) -> list[Hit]:
    """Exclusions cancel the code's matches inside them; overlaps of one code: longest wins."""
    by_code: dict[str, tuple[list, list]] = {}
    for term, excluding, start, end, unit in raw:
        hits, excludes = by_code.setdefault(term.code, ([], []))
        (excludes if excluding else hits).append((start, end, term.text, unit))
    found: list[Hit] = []
    for code, (hits, excludes) in by_code.items():
        hits = [h for h in hits if not any(a <= h[0] and h[1] <= b for a, b, _, _ in excludes)]
        hits.sort(key=lambda h: (h[0] - h[1], h[0]))       # longest first, then leftmost
        kept: list[tuple[int, int, str, int]] = []     # sorted by start, never overlapping
        for hit in hits:
            i = bisect_right(kept, (hit[0], hit[1]))
            if i and kept[i - 1][1] > hit[0]:
                continue
            if i < len(kept) and kept[i][0] < hit[1]:
                continue
            kept.insert(i, hit)
        found.extend(Hit(code, term, start, end, unit) for start, end, term, unit in kept)
    found.sort(key=lambda h: (h.start, h.end, h.code))
    return found
