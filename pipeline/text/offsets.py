"""Offset maps: positions in a rewritten text → positions in the text it was made from."""

from __future__ import annotations

from bisect import bisect_right


class OffsetMap:
    """A text rewritten by replacing some spans; everything between them is copied as is.

    Only replacements that change length need to be recorded: a same-length rewrite maps
    character to character. Each replacement is (out_start, out_end, in_start, in_end).
    """

    __slots__ = ("_out_starts", "_spans")

    def __init__(self, replacements: list[tuple[int, int, int, int]] | None = None):
        self._spans = replacements or []
        self._out_starts = [r[0] for r in self._spans]

    def __bool__(self) -> bool:
        return bool(self._spans)

    def _locate(self, pos: int) -> int:
        """Position of one output character → the input character it came from."""
        i = bisect_right(self._out_starts, pos) - 1
        if i < 0:
            return pos
        out_start, out_end, in_start, in_end = self._spans[i]
        if pos < out_end:
            return -1 - i          # inside replacement i
        return pos - out_end + in_end

    def start(self, pos: int) -> int:
        """Where an output span starting at `pos` starts in the input."""
        found = self._locate(pos)
        return self._spans[-1 - found][2] if found < 0 else found

    def end(self, pos: int) -> int:
        """Where an output span ending (exclusive) at `pos` ends in the input."""
        if pos <= 0:
            return 0
        found = self._locate(pos - 1)
        return self._spans[-1 - found][3] if found < 0 else found + 1


class MapBuilder:
    """Collects pieces of an output text and the replacements that change length."""

    __slots__ = ("parts", "spans", "out_pos", "in_pos")

    def __init__(self):
        self.parts: list[str] = []
        self.spans: list[tuple[int, int, int, int]] = []
        self.out_pos = 0
        self.in_pos = 0

    def copy(self, text: str) -> None:
        self.parts.append(text)
        self.out_pos += len(text)
        self.in_pos += len(text)

    def replace(self, original_length: int, new_text: str) -> None:
        if len(new_text) != original_length:
            self.spans.append((self.out_pos, self.out_pos + len(new_text),
                               self.in_pos, self.in_pos + original_length))
        self.parts.append(new_text)
        self.out_pos += len(new_text)
        self.in_pos += original_length

    def build(self) -> tuple[str, OffsetMap]:
        return "".join(self.parts), OffsetMap(self.spans)


def rewrite(text: str, pattern, replace) -> tuple[str, OffsetMap]:
    """Rewrite every match of `pattern` in `text` by `replace(match) -> str`."""
    builder = MapBuilder()
    last = 0
    for m in pattern.finditer(text):
        new = replace(m)
        if new == m.group(0):
            continue
        builder.copy(text[last:m.start()])
        builder.replace(m.end() - m.start(), new)
        last = m.end()
    if last == 0 and not builder.parts:
        return text, OffsetMap()
    builder.copy(text[last:])
    return builder.build()


class MapChain:
    """Maps applied one after another: text0 → text1 → … ; spans map back to text0."""

    __slots__ = ("maps",)

    def __init__(self, maps: list[OffsetMap] | None = None):
        self.maps = [m for m in (maps or []) if m]

    def span(self, start: int, end: int) -> tuple[int, int]:
        for m in reversed(self.maps):
            start, end = m.start(start), m.end(end)
        return start, end
