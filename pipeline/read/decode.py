"""Bytes → text: UTF-8/UTF-16 first, then GB18030 or Big5 judged by jieba's dictionary."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from pipeline.errors import TranscriptError
from pipeline.text.normalize import HAN_RE, converter

NARROW_MARGIN = 0.10
_FAMILY = {"cp950": "big5"}


@dataclass
class Decoded:
    text: str
    encoding: str
    note: str = ""        # e.g. a narrow margin between two legacy readings


def decode_bytes(data: bytes, path: str, language: str = "") -> Decoded:
    """Decode a transcript's bytes; raise TranscriptError rather than return mojibake."""
    if data.startswith(codecs.BOM_UTF8):
        return Decoded(_strict(data[3:], "utf-8", path), "utf-8-sig")
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return Decoded(_strict(data, "utf-16", path), "utf-16")
    if b"\x00" in data:                 # anywhere: a NUL is never in text, and a parser may stop at one
        raise TranscriptError(path, "a binary file, not text (it holds NUL bytes)",
                              hint="export the transcript as .txt, .md or .docx")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    tag = language.lower()
    if tag.startswith("zh-hans") or tag in ("zh-cn", "zh-sg"):
        candidates = ["gb18030"]
    elif tag.startswith("zh-hant") or tag in ("zh-tw", "zh-hk", "zh-mo"):
        candidates = ["big5", "cp950"]
    else:
        candidates = ["gb18030", "big5", "cp950"]
    readings = []
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\ufffd" in text or _has_controls(text):
            continue
        readings.append((dictionary_share(text), encoding, text))
    if not readings:
        tried = ", ".join(["UTF-8", "UTF-16"] + [c.upper() for c in candidates])
        raise TranscriptError(path, f"not text in any encoding tried ({tried})",
                              hint="save it as UTF-8, or set its language in the roster")
    readings.sort(key=lambda r: -r[0])
    share, encoding, text = readings[0]
    note = ""
    # Big5 and CP950 are one family: only a reading of the other family makes a margin.
    other = [r for r in readings[1:] if _FAMILY.get(r[1], r[1]) != _FAMILY.get(encoding, encoding)]
    if other and share - other[0][0] < NARROW_MARGIN:
        note = (f"read as {encoding.upper()} ({share:.0%} of Han text in dictionary words) rather than "
                f"{other[0][1].upper()} ({other[0][0]:.0%}): a narrow margin")
    if share < 0.2 and HAN_RE.search(text):
        raise TranscriptError(path, f"decodes as {encoding.upper()} but reads as mojibake "
                              f"(only {share:.0%} of Han text forms dictionary words)",
                              hint="save it as UTF-8, or set its language in the roster")
    return Decoded(text, encoding, note)


def _strict(data: bytes, encoding: str, path: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1 if encoding.startswith("utf-8") else None
        raise TranscriptError(path, f"starts with a {encoding.upper()} byte-order mark but is not "
                              f"valid {encoding.upper()} (byte {exc.start})",
                              hint="re-save the file as UTF-8", line=line) from None


def _has_controls(text: str) -> bool:
    return any(ord(c) < 32 and c not in "\t\n\r\f" for c in text[:65536])


def dictionary_share(text: str) -> float:
    """Share of Han characters that fall in multi-character jieba dictionary words."""
    from pipeline.text.zh_words import tokenizer

    han = "".join(HAN_RE.findall(text[:50000]))
    if not han:
        return 1.0
    jieba = tokenizer()
    simplified = converter("t2s").convert(han)
    covered = sum(len(w) for w in jieba.cut(simplified, HMM=False) if len(w) > 1 and jieba.FREQ.get(w))
    return covered / len(simplified)
