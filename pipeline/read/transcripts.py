"""Transcript files (.txt .md .docx .odt .rtf .pdf .vtt .srt) → Transcript: decoding, front matter, turns."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import yaml

from pipeline.errors import Problem, TranscriptError, did_you_mean, note
from pipeline.models import RESPONDENT, Transcript, Turn
from pipeline.read import safe_yaml
from pipeline.read.archives import MAX_DOCX_UNPACKED, open_archive
from pipeline.read.decode import decode_bytes
from pipeline.read.documents import odt_text, pdf_text, rtf_text, unsupported
from pipeline.read.turns import INTERVIEWER_LABELS, is_label, label_key, role_of, speech_pieces, split_turns
from pipeline.text.languages import language_tag, unknown_language

TRANSCRIPT_SUFFIXES = (".txt", ".md", ".docx", ".odt", ".rtf", ".pdf", ".vtt", ".srt")
NEVER_TRANSCRIPTS = ("readme", "license", "licence", "changelog")
MAX_TRANSCRIPT_BYTES = 16_000_000     # default --max-file-mb: coding a file holds ~15× its size in memory
MAX_FRONT_MATTER = 64 * 1024          # front matter is a few `key: value` lines; a large one is not that
# How the labels' roles were decided (Transcript.decided_by; the speaker table's `decided_by` column)
BY_ROSTER, BY_KNOWN_LABEL, BY_GUESS, BY_ONLY_SPEAKER, BY_NO_LABELS = (
    "roster", "known label", "guessed", "only speaker", "no labels")

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.S)


def is_transcript_name(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(TRANSCRIPT_SUFFIXES) and not lower.startswith(NEVER_TRANSCRIPTS) \
        and not lower.startswith((".", "~$"))


def file_checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_transcript(path: Path, source_file: str, language: str = "",
                    respondent_labels: tuple[str, ...] = (), data: bytes | None = None) -> Transcript:
    """Read one transcript file; raise TranscriptError for what cannot be read as text."""
    if data is None:
        data = read_bytes(path, source_file)
    if not data.strip():
        raise TranscriptError(source_file, "the file is empty", hint="remove it from the roster or fill it")
    suffix = path.suffix.lower()
    notes = []
    pages: tuple[int, ...] = ()
    if refused := unsupported(suffix):
        raise TranscriptError(source_file, refused[0], hint=refused[1])
    if suffix == ".docx":
        text, encoding = docx_text(data, source_file), "docx"
    elif suffix == ".odt":
        text, encoding = odt_text(data, source_file), "odt"
    elif suffix == ".rtf":
        text, encoding = rtf_text(data, source_file), "rtf"
    elif suffix == ".pdf":
        document = pdf_text(data, source_file)
        text, encoding, pages = document.text, "pdf", document.pages
        if document.blank_pages:
            shown = ", ".join(map(str, document.blank_pages[:20])) + (" …" if len(document.blank_pages) > 20 else "")
            notes.append(note(source_file, f"page(s) {shown} hold no text (scanned pages?); not coded",
                              hint="run OCR on the PDF (e.g. ocrmypdf) to code them too"))
    else:
        decoded = decode_bytes(data, source_file, language)
        text, encoding = decoded.text, decoded.encoding
        if encoding not in ("utf-8", "utf-8-sig", "utf-16"):     # a legacy encoding: say which
            notes.append(note(source_file, decoded.note or f"read as {encoding.upper()}"))
    front, body_start = parse_front_matter(text, source_file)
    notes += front_matter_problems(front, text[:body_start], source_file)
    if not text[body_start:].strip():
        raise TranscriptError(source_file, "the file has no text", hint="remove it from the roster or fill it")
    labels = respondent_labels
    if suffix in (".vtt", ".srt"):
        turns, labelled = subtitle_turns(text, body_start, labels)
    else:
        turns, labelled = split_turns(text, body_start, labels)
    if not labelled:
        notes.append(note(source_file, "no speaker labels: the whole text is taken as the respondent's",
                          hint="label turns `Name: …` to leave interviewer questions out"))
    elif not any(t.role == RESPONDENT for t in turns):
        notes.append(note(source_file, "no turn is the respondent's: nothing in this file is coded",
                          hint="check the roster's speaker_labels for this file"))
    return Transcript(source_file=source_file, text=text, turns=turns, encoding=encoding,
                      front_matter=front, labelled=labelled, notes=notes,
                      decided_by=roles_decided_by(turns, labelled, labels), pages=pages)


def roles_decided_by(turns: list[Turn], labelled: bool, respondent_labels: tuple[str, ...]) -> str:
    """How the labels' roles were decided; "" where no label says who the interviewer is (the coder decides
    from the turns)."""
    if not labelled:
        return BY_NO_LABELS
    if any(x.strip() for x in respondent_labels):
        return BY_ROSTER
    keys = {label_key(t.speaker) for t in turns}
    if keys & INTERVIEWER_LABELS:
        return BY_KNOWN_LABEL
    return BY_ONLY_SPEAKER if len(keys) <= 1 else ""


def read_bytes(path: Path, source_file: str, max_bytes: int = MAX_TRANSCRIPT_BYTES) -> bytes:
    """The file's bytes; a file larger than `max_bytes` is refused before it is read."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise TranscriptError(source_file, f"is {size / 1e6:,.1f} MB, more than qcode codes in one piece "
                                  f"({max_bytes / 1e6:,.0f} MB; an interview transcript is rarely 1 MB)",
                                  hint="split it into one file per interview or session, or raise the "
                                       "limit with --max-file-mb")
        return path.read_bytes()
    except FileNotFoundError:
        raise TranscriptError(source_file, "the file does not exist",
                              hint="check the roster's `file` column (or whether it was moved during the run)") \
            from None
    except IsADirectoryError:
        raise TranscriptError(source_file, "is a folder, not a file",
                              hint="name a transcript file in the roster") from None
    except OSError as exc:
        raise TranscriptError(source_file, f"cannot be read ({exc.strerror})",
                              hint="check the file's permissions") from None


def parse_front_matter(text: str, source_file: str) -> tuple[dict, int]:
    """YAML between `---` lines at the top: (fields, where the body starts)."""
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, 0
    if len(m.group(1) or "") > MAX_FRONT_MATTER:
        raise TranscriptError(source_file, f"the front matter (between the --- lines) is "
                              f"{len(m.group(1)):,} characters, more than qcode reads ({MAX_FRONT_MATTER:,})",
                              hint="keep only `key: value` lines such as `language: zh-Hant-TW` there", line=1)
    try:
        fields = safe_yaml.load(m.group(1) or "") or {}
    except safe_yaml.YamlRefused as exc:
        raise TranscriptError(source_file, f"the front matter: {exc.problem}",
                              hint="write each value out, without `&name`/`*name` marks or nesting",
                              line=exc.problem_mark.line + 2) from None
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise TranscriptError(source_file, "the front matter (between the --- lines) is not valid YAML",
                              hint="fix or remove it", line=(line + 2) if line is not None else 1) from None
    if not isinstance(fields, dict):
        raise TranscriptError(source_file, "the front matter must be `key: value` lines",
                              hint="e.g. `language: zh-Hant-TW`", line=1)
    return {str(k): v for k, v in fields.items()}, m.end()


FRONT_MATTER_KEYS = ("interviewee", "language", "country", "region")


def front_matter_problems(fields: dict, head: str, source_file: str) -> list:
    """A problem for each front-matter key qcode does not read (with a did-you-mean) and for a language tag it
    does not know; `head` is the front matter's text, for the line of each key."""
    lines = {line.split(":")[0].strip(): number for number, line in enumerate(head.splitlines(), 1)}
    problems = [Problem(source_file, f"unknown front-matter key {key!r} is ignored"
                        + (f": did you mean {meant!r}?" if (meant := did_you_mean(key, FRONT_MATTER_KEYS)) else ""),
                        line=lines.get(key, 1), hint=f"the keys qcode reads there: {', '.join(FRONT_MATTER_KEYS)}")
                for key in fields if key not in FRONT_MATTER_KEYS]
    typed = str(fields.get("language") or "")
    if language_tag(typed) is None:
        problems.append(Problem(source_file, f"front matter: {unknown_language(typed)}; the language is "
                                "detected instead", line=lines.get("language", 1), hint="write a language tag"))
        fields.pop("language")
    return problems


def docx_text(data: bytes, source_file: str) -> str:
    """Paragraphs of a .docx, in order, one per line; refuses bombs, damaged zips and hostile XML first."""
    import io

    def refuse(message: str):
        if "not a zip" in message:
            raise TranscriptError(source_file, "is not a Word .docx file (" + message.removeprefix("is ") + ")",
                                  hint="open it in Word and save it again as .docx")
        raise TranscriptError(source_file, message, hint="save the document again from a word processor")

    with open_archive(io.BytesIO(data), refuse, "Word", MAX_DOCX_UNPACKED) as archive:
        if "word/document.xml" not in set(archive.namelist()):
            raise TranscriptError(source_file, "is a zip archive but not a Word document (no word/document.xml)",
                                  hint="save the transcript as .docx from a word processor")
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for a broken package
        raise TranscriptError(source_file, f"is not a readable Word document ({type(exc).__name__})",
                              hint="open it in Word and save it again as .docx") from None
    return "\n".join(p.text for p in document.paragraphs)


_CUE_TIME = re.compile(r"^\s*(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}\s*-->")
# Bounded repeats: `[^>]+` searched at each of 60,000 `<v ` of one cue scanned to its end each time (quadratic).
_VOICE = re.compile(r"<v(?:\.[^ >\n]{0,100})?\s{1,20}([^>\n]{1,200})>")
_TAG = re.compile(r"</?[a-zA-Z][^>\n]{0,200}>")


def subtitle_turns(text: str, start: int, respondent_labels: tuple[str, ...]) -> tuple[list[Turn], bool]:
    """WebVTT / SRT cues → turns; `<v Name>` or `Name:` label a cue, others continue the turn."""
    respondent_keys = {label_key(x) for x in respondent_labels if x.strip()}
    turns: list[Turn] = []
    unlabelled = Turn(speaker="", role=RESPONDENT, line=1)
    current: Turn | None = None
    labelled = False
    in_cue = False
    skip_block = False
    offset = start
    line_no = text.count("\n", 0, start) + 1
    for line in text[start:].splitlines(keepends=True):
        body = line.strip()
        if not body:
            in_cue = skip_block = False
        elif _CUE_TIME.match(body):
            in_cue = True
        elif not in_cue:
            skip_block = skip_block or body.startswith(("NOTE", "STYLE", "REGION", "WEBVTT"))
        elif not skip_block:
            speech_start = 0
            label = None
            voice = _VOICE.search(line)
            if voice:
                label, speech_start = voice.group(1).strip(), voice.end()
            else:
                m = re.match(r"^[ \t]*(?:-[ \t]*)?([^:：\n]{1,60}?)[ \t]*[:：](?!//)[ \t]*", line)
                if m and is_label(m.group(1)):
                    label, speech_start = m.group(1).strip(), m.end()
            if label and (current is None or label_key(label) != label_key(current.speaker)):
                labelled = True
                current = Turn(speaker=label, role=role_of(label_key(label), respondent_keys), line=line_no)
                turns.append(current)
            elif label:
                labelled = True
            pieces = []
            for a, b in speech_pieces(line, offset, speech_start):
                pieces.extend(_cut_tags(text, a, b))
            if current is not None:
                current.pieces.extend(pieces)
            unlabelled.pieces.extend(pieces)
        offset += len(line)
        line_no += 1
    if not labelled:
        return ([unlabelled] if unlabelled.pieces else []), False
    return [t for t in turns if t.pieces], True


def _cut_tags(text: str, a: int, b: int) -> list[tuple[int, int]]:
    pieces, cursor = [], a
    for m in _TAG.finditer(text, a, b):
        if m.start() > cursor:
            pieces.append((cursor, m.start()))
        cursor = m.end()
    if b > cursor:
        pieces.append((cursor, b))
    return [(x, y) for x, y in pieces if text[x:y].strip()]
