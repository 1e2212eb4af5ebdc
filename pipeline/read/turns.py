"""Transcript text → speaker turns (who speaks, which spans are speech, who is the respondent)."""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.models import INTERVIEWER, RESPONDENT, Turn
from pipeline.text.normalize import HAN_RE, converter, fold_name

INTERVIEWER_LABELS = {
    "interviewer", "interviewers", "moderator", "host", "question", "q",
    "问", "问题", "采访者", "访问者", "访谈者", "主持人", "记者",
}
STAGE_LABELS = {
    "break", "ad", "ad break", "intro", "outro", "music", "sponsor", "sponsors",
    "transcript", "timestamp", "广告", "休息", "中场休息",
}

# Labels are short (at most 4 words or 10 Han characters), so every repeat is bounded: an unbounded lazy label
# followed by `[ \t]*[:：]` takes time quadratic in the line (a 200 KB line of spaces ran for minutes).
_HEADING_LABEL = re.compile(r"^#{1,6}[ \t]{0,40}(?P<label>[^\n#][^\n]{0,150}?)[ \t]{0,40}[:：][ \t]*$")
_BOLD_LABEL = re.compile(r"^\*\*(?P<label>[^*\n]{1,150}?)[ \t]{0,40}(?:[:：]\*\*|\*\*[ \t]{0,40}[:：])[ \t]*")
_PLAIN_LABEL = re.compile(r"^[ \t]{0,40}(?P<label>[^\W_][\w .'\-]{0,150}?)[ \t]{0,40}[:：](?!//)[ \t]*")
_LABEL_CHARS = re.compile(r"^[\w .'\-]+$")
_TIMESTAMP = re.compile(r"\\?[\[(]\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\\?[\])]")
_ANNOTATION_LINE = re.compile(r"^[ \t]*(?:>|#{1,6}[ \t])")
_HAS_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=4096)
def label_key(label: str) -> str:
    """Case-, width- and script-insensitive form of a speaker label (a few labels recur on every line)."""
    folded = fold_name(label)
    return converter("t2s").convert(folded) if HAN_RE.search(folded) else folded


def is_label(label: str) -> bool:
    """A speaker name: ≤ 4 words and ≤ 10 Han characters of letters, digits, spaces, . - '."""
    label = label.strip()
    if not label or not _LABEL_CHARS.match(label) or not _HAS_LETTER.search(label):
        return False
    if "_" in label:
        return False
    return len(label.split()) <= 4 and len(HAN_RE.findall(label)) <= 10


def is_markdown_label(label: str) -> bool:
    """A `### Name:` heading or `**Name:**` is explicit: any short name, brackets allowed."""
    label = label.strip()
    return 0 < len(label) <= 80 and bool(_HAS_LETTER.search(label)) and not label.startswith("#")


def uses_markdown_labels(text: str) -> bool:
    for line in text.splitlines():
        m = _HEADING_LABEL.match(line) or _BOLD_LABEL.match(line)
        if m and is_markdown_label(m.group("label")):
            return True
    return False


def _line_label(line: str, markdown: bool) -> tuple[str, int] | None:
    """(label, where the speech starts in the line) if the line opens a turn."""
    if markdown:
        m = _HEADING_LABEL.match(line) or _BOLD_LABEL.match(line)
        valid = m and is_markdown_label(m.group("label"))
    else:
        m = _PLAIN_LABEL.match(line)
        valid = m and is_label(m.group("label"))
    return (m.group("label").strip(), m.end()) if valid else None


def speech_pieces(line: str, offset: int, start: int) -> list[tuple[int, int]]:
    """Spans of one line that are speech: bracketed time stamps cut out, ends trimmed."""
    body = line.rstrip("\r\n")
    pieces = []
    cursor = start
    for m in _TIMESTAMP.finditer(body, start):
        pieces.append((cursor, m.start()))
        cursor = m.end()
    pieces.append((cursor, len(body)))
    spans = []
    for a, b in pieces:
        chunk = body[a:b]
        stripped = chunk.strip()
        if stripped:
            lead = len(chunk) - len(chunk.lstrip())
            spans.append((offset + a + lead, offset + a + lead + len(stripped)))
    return spans


def split_turns(text: str, start: int = 0, respondent_labels: tuple[str, ...] = ()) -> tuple[list[Turn], bool]:
    """Split text (from offset `start`) into turns; returns (turns, labelled).

    A file with no labels is one respondent turn of all its speech lines.
    """
    markdown = uses_markdown_labels(text[start:])
    respondent_keys = {label_key(x) for x in respondent_labels if x.strip()}
    turns: list[Turn] = []
    current: Turn | None = None
    labelled = False
    offset = start
    line_no = text.count("\n", 0, start) + 1
    unlabelled = Turn(speaker="", role=RESPONDENT, line=line_no)
    for line in text[start:].splitlines(keepends=True):
        found = None if _ANNOTATION_LINE.match(line) and not markdown else _line_label(line, markdown)
        if found:
            labelled = True
            label, speech_start = found
            key = label_key(label)
            if key in STAGE_LABELS:
                current = None
            else:
                role = role_of(key, respondent_keys)
                current = Turn(speaker=label, role=role, line=line_no)
                turns.append(current)
                current.pieces.extend(speech_pieces(line, offset, speech_start))
        elif not _ANNOTATION_LINE.match(line):
            pieces = speech_pieces(line, offset, 0)
            if current is not None:
                current.pieces.extend(pieces)
            unlabelled.pieces.extend(pieces)
        offset += len(line)
        line_no += 1
    if not labelled:
        return ([unlabelled] if unlabelled.pieces else []), False
    return [t for t in turns if t.pieces], True


def role_of(key: str, respondent_keys: set[str]) -> str:
    if respondent_keys:
        return RESPONDENT if key in respondent_keys else INTERVIEWER
    return INTERVIEWER if key in INTERVIEWER_LABELS else RESPONDENT


def turn_text(text: str, pieces: list[tuple[int, int]]):
    """The speech of a turn as one string ("\\n" between pieces) and its offset map.

    Returns (speech, base, OffsetMap): position p of `speech` is at base + map(p) in `text`.
    """
    from pipeline.text.offsets import MapBuilder

    if not pieces:
        return "", 0, None
    builder = MapBuilder()
    base = pieces[0][0]
    previous_end = base
    for index, (a, b) in enumerate(pieces):
        if index:
            builder.replace(a - previous_end, "\n")
        builder.copy(text[a:b])
        previous_end = b
    speech, offsets = builder.build()
    return speech, base, offsets
