"""Text → OpenCC conversion with offset maps, identical to opencc-python-reimplemented but built on Aho-Corasick.

The reference library converts each piece of text between its separators (`split_chars_re`) through a
chain of dictionary groups. Inside a group, each dictionary in turn replaces, in every piece still
unconverted, the longest entry found anywhere in it (the leftmost of equally long ones) and searches
the pieces left and right of it again. That is the same as taking every occurrence of every entry,
longest first and then leftmost, and keeping each one that overlaps none kept before — which is what
this module does, over the whole text at once: `pyahocorasick` finds every occurrence in one pass,
and a dictionary of single characters ending a group is one `str.translate`.

Separators need no splitting: an entry holding a separator character can never match in the
reference, so it is left out of the automaton, and every entry holds a Han character, so a match
never falls in a piece without Han (which qcode leaves unconverted). `FastConverter.supported` is
False where a dictionary breaks these assumptions; then `convert_chinese` uses the reference.
The dictionaries are the installed library's own, read through it at run time.
tests/text/test_fast_convert.py proves the text and the offset maps identical on the real corpora.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import cache

from pipeline.errors import PipelineError
from pipeline.text.normalize import HAN_RE, converter, group_spans
from pipeline.text.offsets import OffsetMap
from pipeline.versions import LibraryChoice, installed_version

CHOICES = ["auto", "opencc", "fast"]        # --converter


def choose_converter(requested: str = "auto") -> LibraryChoice:
    """The converter for `--converter REQUESTED` (auto, opencc, fast): fast where pyahocorasick is installed."""
    matcher = installed_version("pyahocorasick")
    if requested == "fast" and not matcher:
        raise PipelineError("--converter", "the fast converter needs pyahocorasick, which is not installed",
                            hint='pip install -e ".[fast]", or use --converter opencc')
    if requested not in CHOICES:
        raise PipelineError("--converter", f"unknown converter {requested!r}", hint="use auto, opencc or fast")
    if requested != "opencc" and matcher:
        why = "asked for (--converter fast)" if requested == "fast" else \
            "pyahocorasick is installed: the same text and offsets as OpenCC, faster"
        return LibraryChoice("fast", f"pyahocorasick {matcher}", why)
    why = "asked for (--converter opencc)" if requested == "opencc" else \
        'pyahocorasick is not installed (pip install -e ".[fast]" for the faster one)'
    return LibraryChoice("opencc", installed_version("opencc-python-reimplemented") or "", why)


class FastConverter:
    """One OpenCC profile (a converter of opencc-python-reimplemented) compiled for whole-text conversion."""

    def __init__(self, reference):
        import ahocorasick

        reference.convert("")                       # loads the library's dictionaries
        self.separators = reference.split_chars_re
        self.supported = True
        self.separator = _separator_class(reference.split_chars_re.pattern)
        if self.separator is None:
            self.supported = False
        self.groups: list[list[tuple]] = []
        for number, group in enumerate(reference._dict_chain_data):     # the library's own dictionaries
            steps: list[tuple] = []
            for index, (_, _, table) in enumerate(group):
                values = {key: value.split(" ")[0] for key, value in table.items()}
                if not all(HAN_RE.search(key) for key in values):
                    self.supported = False
                last = index == len(group) - 1
                if last and all(len(k) == 1 and len(v) == 1 for k, v in values.items()):
                    steps.append(("characters", _CharacterTable(values)))
                    continue
                automaton = ahocorasick.Automaton()
                for key, value in values.items():
                    if self.separators.search(key):
                        if number:              # a later group's input is not split again: keep to the reference
                            self.supported = False
                        continue                # never matches: the reference splits the text there
                    automaton.add_word(key, (len(key), value))
                if len(automaton):
                    automaton.make_automaton()
                    steps.append(("entries", automaton))
            self.groups.append(steps)

    def convert(self, text: str) -> tuple[str, list[list[tuple[int, int, int]]]]:
        """The converted text, and per group its replacements that change length: (start, end, new length)
        in that group's input."""
        changes = []
        for steps in self.groups:
            text, changed = _convert_group(text, steps)
            changes.append(changed)
        return text, changes


class _CharacterTable:
    """A dictionary of single characters as `str.translate` tables: a list by code point (twice as fast as a
    dict, which raises and catches a KeyError per character it leaves) for the Basic Multilingual Plane,
    the dict where a text holds characters beyond it."""

    def __init__(self, values: dict[str, str]):
        self.whole = str.maketrans(values)
        self.basic = _IDENTITY.copy()            # the same int objects: each table costs only its pointers
        for key, value in self.whole.items():
            if key < len(self.basic):
                self.basic[key] = value

    def for_text(self, text: str):
        return self.whole if _ASTRAL.search(text) else self.basic


_IDENTITY = list(range(0x10000))
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _convert_group(text: str, steps: list[tuple]) -> tuple[str, list[tuple[int, int, int]]]:
    chosen: list[tuple[int, int, str]] = []
    covered = None
    table = None
    for kind, data in steps:
        if kind == "characters":
            table = data.for_text(text)
            continue
        found = [(-length, end + 1 - length, value) for end, (length, value) in data.iter(text)]
        if not found:
            continue
        if covered is None:
            covered = bytearray(len(text))
        found.sort()                                # longest first, then leftmost
        for negative, start, value in found:
            end = start - negative
            if covered.find(1, start, end) == -1:
                covered[start:end] = b"\x01" * (end - start)
                chosen.append((start, end, value))
    if not chosen:
        return (text.translate(table) if table else text), []
    chosen.sort()
    gaps = text.translate(table) if table else text     # one character for one: the gaps keep their places
    parts, changed, last = [], [], 0
    for start, end, value in chosen:
        parts.append(gaps[last:start])
        parts.append(value)
        if len(value) != end - start:
            changed.append((start, end, len(value)))
        last = end
    parts.append(gaps[last:])
    return "".join(parts), changed


@cache
def fast_converter(profile: str) -> FastConverter:
    return FastConverter(converter(profile))


def convert_fast(text: str, profile: str) -> tuple[str, OffsetMap] | None:
    """What `normalize.convert_chinese` gives (the same text, the same offset map), many times faster;
    None where the profile's dictionaries break this module's assumptions."""
    compiled = fast_converter(profile)
    return convert_by(text, compiled) if compiled.supported else None


def convert_by(text: str, compiled: FastConverter) -> tuple[str, OffsetMap]:
    """`normalize.convert_with` by a compiled converter."""
    converted, changes = compiled.convert(text)
    if not any(changes):
        return converted, OffsetMap()
    return converted, OffsetMap(_offset_spans(text, converted, changes, compiled.separator))


def _separator_class(pattern: str):
    """The reference's separator pattern `(\\s+|-|,|…)` as one character class, or None if it is not one."""
    if not (pattern.startswith("(") and pattern.endswith(")")):
        return None
    members = []
    for alternative in pattern[1:-1].split("|"):
        if alternative == r"\s+":
            members.append(r"\s")
        elif len(alternative) == 1 or (len(alternative) == 2 and alternative[0] == "\\"
                                       and not alternative[1].isalnum()):
            members.append(re.escape(alternative[-1]))
        else:
            return None
    return re.compile("[" + "".join(members) + "]")


def _offset_spans(text: str, converted: str, changes: list[list[tuple[int, int, int]]], separator) -> list:
    """The offset map's replacements, as the reference builds them: per separated piece whose length
    changed, its characters grouped by the input they came from (normalize.aligned_convert)."""
    backwards = text[::-1]
    shifts = [_Shifts(changed) for changed in changes]
    pieces = set()
    for number, changed in enumerate(changes):
        for start, _, _ in changed:
            for earlier in reversed(shifts[:number]):
                start = earlier.back(start)
            before = separator.search(backwards, len(text) - start)
            after = separator.search(text, start)
            pieces.add((len(text) - before.start() if before else 0, after.start() if after else len(text)))
    spans = []
    for a, b in sorted(pieces):
        chars = [(i, i + 1) for i in range(b - a)]
        here_a, here_b = a, b
        for shift, changed in zip(shifts, changes, strict=True):
            first = bisect_left(changed, (here_a,))
            last = bisect_left(changed, (here_b,))
            if first < last:
                chars = _merge(chars, changed[first:last], here_a)
            here_a, here_b = shift.forward(here_a), shift.forward(here_b)
        if len(chars) == b - a:
            continue                                 # the reference keeps a piece of unchanged length whole
        out = here_a
        for piece_text, start, end in group_spans(converted[here_a:here_a + len(chars)], chars):
            if len(piece_text) != end - start:
                spans.append((out, out + len(piece_text), a + start, a + end))
            out += len(piece_text)
    return spans


def _merge(chars: list[tuple[int, int]], changed: list[tuple[int, int, int]], offset: int) -> list[tuple[int, int]]:
    """Per output character its input span, after one group's replacements that change length."""
    merged, last = [], 0
    for start, end, length in changed:
        start -= offset
        end -= offset
        merged.extend(chars[last:start])
        merged.extend([(chars[start][0], chars[end - 1][1])] * length)
        last = end
    merged.extend(chars[last:])
    return merged


class _Shifts:
    """Positions across one group's replacements that change length: input ↔ output."""

    def __init__(self, changed: list[tuple[int, int, int]]):
        self.in_ends = [end for _, end, _ in changed]
        self.out_starts, self.deltas = [], [0]
        for start, end, length in changed:
            self.out_starts.append(start + self.deltas[-1])
            self.deltas.append(self.deltas[-1] + length - (end - start))
        self.changed = changed

    def forward(self, pos: int) -> int:
        """An input position on a replacement boundary → the output position."""
        return pos + self.deltas[bisect_right(self.in_ends, pos)]

    def back(self, pos: int) -> int:
        """An output position → the input position it lies at (a replacement's start, inside one)."""
        i = bisect_right(self.out_starts, pos) - 1
        if i < 0:
            return pos
        start, end, length = self.changed[i]
        if pos < self.out_starts[i] + length:
            return start
        return pos - self.deltas[i + 1]
