"""Where a span of a transcript lies in the text a QDA tool is given: LF line ends, code points or UTF-16.

qcode's offsets count code points over the file as decoded (BOM dropped, line ends as in the file).
An exported source has LF line ends, so each CR of a CR LF before a span moves it one to the left.
NVivo counts UTF-16 code units, in which a character beyond U+FFFF (emoji, CJK extension B) is two.
"""

from __future__ import annotations

from bisect import bisect_left

CODEPOINTS = "codepoints"
UTF16 = "utf16"
UNITS = (CODEPOINTS, UTF16)


def lf_text(text: str) -> str:
    """CR LF and lone CR line ends as LF (how REFI-QDA sources store text)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class ExportedText:
    """A transcript's text as exported, with the maps between file offsets and exported positions."""

    def __init__(self, file_text: str):
        self.file_text = file_text
        self.text = lf_text(file_text)
        # file offsets of the CRs dropped (each the CR of a CR LF pair)
        self._dropped = [i for i in range(len(file_text) - 1) if file_text[i] == "\r" and file_text[i + 1] == "\n"]
        self._astral = [i for i, ch in enumerate(self.text) if ord(ch) > 0xFFFF]
        # UTF-16 position of each astral character (its high surrogate)
        self._astral16 = [i + k for k, i in enumerate(self._astral)]

    def position(self, file_offset: int, unit: str = CODEPOINTS) -> int:
        """File offset (code points, original line ends) → position in the exported text."""
        point = file_offset - bisect_left(self._dropped, file_offset)
        return point + bisect_left(self._astral, point) if unit == UTF16 else point

    def file_offset(self, position: int, unit: str = CODEPOINTS) -> int:
        """Position in the exported text → file offset (a position inside a surrogate pair → its character)."""
        point = position - bisect_left(self._astral16, position) if unit == UTF16 else position
        # the k-th kept character sits at file offset point + (CRs dropped before it)
        low, high = point, point + len(self._dropped)
        while low < high:                       # smallest offset whose exported point is >= point
            middle = (low + high) // 2
            if middle - bisect_left(self._dropped, middle) < point:
                low = middle + 1
            else:
                high = middle
        return low

    def length(self, unit: str = CODEPOINTS) -> int:
        return len(self.text) + (len(self._astral) if unit == UTF16 else 0)

    def has_astral(self) -> bool:
        return bool(self._astral)
