"""A re-coded run → a validation sample: every respondent unit of randomly drawn files (or random units), each
with qcode's 0/1 per code, as a workbook a reviewer corrects [writes disk].

The draw ranks candidates by SHA-256 of the seed and their name (file, or file and unit), so the same seed, run
and size give the same units on any machine and Python version. The workbook's hidden `qcode record` sheet keeps
the run's record and, per row, what qcode wrote (unit, line, a digest of the text, qcode's codes), so that
`qcode validate` needs neither the run folder nor the transcripts.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pipeline.coding.code_file import LineIndex
from pipeline.models import RESPONDENT, Codebook, FileResult
from pipeline.versions import __version__
from pipeline.write.excel import SheetWriter, clean, write_frame
from pipeline.write.folder import replace_whole

TITLE = "qcode validation sample"   # the workbook's title property
SAMPLE_SHEET = "Sample"
RECORD_SHEET = "qcode record"
RECORD_KEY = "record"
RECORD_PART = 30_000                # characters of the JSON record per cell (Excel holds 32,767)
KIND = "validation sample"
SAMPLE_FORMAT = 1
FIXED_COLUMNS = ["sample_id", "source_file", "interviewee_id", "line", "context_before", "text", "context_after"]
COMMENT = "comment"
CONTEXT_CHARS = 240
_MATCH_FONT = InlineFont(b=True, color="FFC00000")
_CODED_FILL = PatternFill("solid", fgColor="FFFCE4D6")
_WIDTHS = {"sample_id": 9, "source_file": 22, "interviewee_id": 12, "line": 6, "context_before": 28, "text": 60,
           "context_after": 28, COMMENT: 30}


@dataclass
class SampleUnit:
    """One respondent coding unit of the sample, as qcode coded it."""

    source_file: str
    unit: int                        # index of the coding unit in its file (as in assignments' `unit`)
    interviewee_id: str
    language: str
    line: int
    text: str
    before: str = ""
    after: str = ""
    codes: tuple[str, ...] = ()      # the codes qcode assigned to the unit
    marks: list[tuple[int, int]] = field(default_factory=list)    # matched words, offsets into `text`
    sample_id: int = 0


def text_digest(text: str) -> str:
    """A digest of a unit's text that survives a spreadsheet's round trip (line ends and spaces folded)."""
    return hashlib.sha256(" ".join(clean(text).split()).encode("utf-8")).hexdigest()[:16]


def _rank(seed: int, *names) -> str:
    return hashlib.sha256("\n".join(map(str, (seed, *names))).encode("utf-8")).hexdigest()


def draw_files(files: list[dict], count: int, seed: int) -> list[str]:
    """`count` of the run's files (its record's `files` entries) with respondent speech, drawn by the seed."""
    candidates = sorted(f["source_file"] for f in files if f.get("respondent_words", 1) != 0)
    return sorted(sorted(candidates, key=lambda name: _rank(seed, name))[:count])


def respondent_units(result: FileResult) -> list[SampleUnit]:
    """Every respondent coding unit of a file re-coded with `keep_units`, with qcode's codes and matched words."""
    text = result.text
    lines = LineIndex(text)
    coded = dict(result.unit_codes)
    marks: dict[int, list[tuple[int, int]]] = {}
    for a in result.assignments:
        if a.speaker_role == RESPONDENT:
            marks.setdefault(a.unit, []).append((a.char_start, a.char_end))
    spans = result.unit_spans
    units = []
    for index, (start, end, speaker, role) in enumerate(spans):
        if role != RESPONDENT or not text[start:end].strip():
            continue
        units.append(SampleUnit(
            source_file=result.source_file, unit=index, interviewee_id=result.interviewee_id,
            language=result.language, line=lines.line_of(start), text=text[start:end],
            before=_neighbour(text, spans, index - 1, speaker, tail=True),
            after=_neighbour(text, spans, index + 1, speaker, tail=False), codes=tuple(coded.get(index, ())),
            marks=sorted((a - start, b - start) for a, b in marks.get(index, []))))
    return units


def _neighbour(text: str, spans: list, index: int, speaker: str, tail: bool) -> str:
    """The unit before or after (any speaker: the question gives the answer its sense), its speaker named when
    another speaks it, cut to CONTEXT_CHARS."""
    if not 0 <= index < len(spans):
        return ""
    start, end, who, _ = spans[index]
    words = " ".join(text[start:end].split())
    if len(words) > CONTEXT_CHARS:
        words = "…" + words[-CONTEXT_CHARS:] if tail else words[:CONTEXT_CHARS] + "…"
    return f"{who}: {words}" if who and who != speaker else words


def draw_units(units: list[SampleUnit], count: int | None, seed: int) -> list[SampleUnit]:
    """`count` units drawn by the seed (None: all), in file and unit order, numbered 1… as `sample_id`."""
    chosen = units if count is None else sorted(units, key=lambda u: _rank(seed, u.source_file, u.unit))[:count]
    chosen = sorted(chosen, key=lambda u: (u.source_file, u.unit))
    for number, unit in enumerate(chosen, start=1):
        unit.sample_id = number
    return chosen


def sample_record(units: list[SampleUnit], manifest: dict, run: str, seed: int, draw: dict) -> dict:
    """What `qcode validate` checks the corrected workbook against, and what it reports figures for."""
    inputs = manifest.get("inputs", {})
    files: dict[str, dict] = {}
    for u in units:
        entry = files.setdefault(u.source_file, {"source_file": u.source_file, "interviewee_id": u.interviewee_id,
                                                 "language": u.language, "units": 0})
        entry["units"] += 1
    return {"kind": KIND, "sample_format": SAMPLE_FORMAT, "qcode_version": __version__, "seed": seed, "draw": draw,
            "run": run, "run_coding": manifest.get("coding", "machine"),
            "codebook": {**(inputs.get("codebook") or {}), "name": manifest["codebook"].get("name", ""),
                         "version": manifest["codebook"].get("version", ""),
                         "codes": list(manifest["codebook"].get("codes", []))},
            "unit_kind": manifest.get("options", {}).get("unit", "sentence"),
            "versions": manifest.get("versions", {}), "files": list(files.values()),
            "units": [[u.sample_id, u.source_file, u.unit, u.line, text_digest(u.text), list(u.codes)]
                      for u in units],
            "run_manifest": manifest}


INSTRUCTIONS = [
    "This is a validation sample of a qcode run: {what}.",
    "Each row of the Sample sheet is one coding unit ({unit_kind}) of the respondent's speech, with the units "
    "around it as context.",
    "Each code has a column (its definition is on the Codes sheet). qcode put 1 where it coded the unit; the words "
    "it matched are in bold red.",
    "Read every row. Put 1 where the code applies to the unit, and 0 (or nothing) where it does not, whatever qcode "
    "wrote. An empty cell counts as 0.",
    "Use the comment column for anything worth saying. Sort, filter and hide rows freely; do not delete rows, "
    "change the text, or rename the code columns.",
    "Then: qcode validate THIS-WORKBOOK.xlsx — precision, recall, F1 and kappa per code, with 95% intervals.",
    "Codebook: {codebook} (sha256 {sha}); draw seed {seed}.",
]


def write_sample(out: Path, units: list[SampleUnit], codebook: Codebook, record: dict) -> Path:
    """The validation workbook (Instructions, Sample, Codes, hidden qcode record), written whole or not at all."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = TITLE
    workbook.properties.creator = f"qcode {__version__}"
    draw = record["draw"]
    what = (f"every respondent unit of {len(record['files'])} file(s) drawn at random" if "files" in draw
            else f"{len(units)} respondent unit(s) drawn at random from {len(record['files'])} file(s)")
    about = SheetWriter(workbook, "Instructions", ["How to review this sample"], wrap={"How to review this sample"})
    about.sheet.column_dimensions["A"].width = 110
    for line in INSTRUCTIONS:
        about.append([line.format(what=what, unit_kind=record["unit_kind"], codebook=record["codebook"].get(
            "path", ""), sha=record["codebook"].get("sha256", ""), seed=record["seed"])])
    _sample_sheet(workbook, units, codebook.ids)
    write_frame(workbook, "Codes", pd.DataFrame(
        [{"code": c.id, "label": c.label, "label_zh": c.label_zh, "definition": c.definition,
          "terms_en": "; ".join(t.text for t in c.terms if t.lang == "en"),
          "terms_zh": "; ".join(t.text for t in c.terms if t.lang == "zh"),
          "exclude": "; ".join(t.text for t in c.excludes)} for c in codebook.codes],
        columns=["code", "label", "label_zh", "definition", "terms_en", "terms_zh", "exclude"]))
    _record_sheet(workbook, record)
    return replace_whole(out, workbook.save)


def _sample_sheet(workbook: Workbook, units: list[SampleUnit], code_ids: list[str]) -> None:
    columns = FIXED_COLUMNS + code_ids + [COMMENT]
    widths = [_WIDTHS.get(name, max(6, min(len(name) + 3, 16))) for name in columns]
    writer = SheetWriter(workbook, SAMPLE_SHEET, columns, wrap={"text", "context_before", "context_after", COMMENT},
                         widths=widths, freeze="C2")
    for u in units:
        writer.append([u.sample_id, u.source_file, u.interviewee_id, u.line, u.before, _marked(u), u.after,
                       *(1 if c in u.codes else None for c in code_ids), None])
    writer.finish()
    if not code_ids:
        return
    last_row = max(writer.rows + 1, 2)
    first, last = (get_column_letter(columns.index(c) + 1) for c in (code_ids[0], code_ids[-1]))
    area = f"{first}2:{last}{last_row}"
    zero_one = DataValidation(type="whole", operator="between", formula1="0", formula2="1", allow_blank=True,
                              showErrorMessage=True, errorTitle="0 or 1",
                              error="Type 1 where the code applies to the unit, 0 or nothing where it does not.")
    zero_one.add(area)
    writer.sheet.data_validations.append(zero_one)
    writer.sheet.conditional_formatting.add(area, CellIsRule(operator="equal", formula=["1"], fill=_CODED_FILL))


def _marked(unit: SampleUnit):
    """The unit's text with qcode's matched words in bold red (rich text), or plain text where none are."""
    text = clean(unit.text)
    parts, at = [], 0
    for start, end in unit.marks:
        start = max(start, at)
        if not start < end <= len(text):
            continue
        if start > at:
            parts.append(text[at:start])
        parts.append(TextBlock(_MATCH_FONT, text[start:end]))
        at = end
    if not parts:
        return text
    if at < len(text):
        parts.append(text[at:])
    return CellRichText(parts)


def _record_sheet(workbook: Workbook, record: dict) -> None:
    """Readable rows (codebook, unit, seed, versions), then the whole record as JSON in `record i/n` rows."""
    writer = SheetWriter(workbook, RECORD_SHEET, ["key", "value"], wrap={"value"})
    writer.sheet.sheet_state = "hidden"
    book = record["codebook"]
    for key, value in (("about", "written by qcode sample; qcode validate reads it: do not edit"),
                       ("run", record["run"]), ("codebook", book.get("path", "")),
                       ("codebook sha256", book.get("sha256", "")), ("unit", record["unit_kind"]),
                       ("seed", str(record["seed"])), ("draw", json.dumps(record["draw"])),
                       ("versions", json.dumps(record["versions"], sort_keys=True))):
        writer.append([key, value])
    text = json.dumps(record, ensure_ascii=False, sort_keys=True)
    parts = [text[start:start + RECORD_PART] for start in range(0, len(text), RECORD_PART)]
    for index, part in enumerate(parts, start=1):
        writer.append([f"{RECORD_KEY} {index}/{len(parts)}", part])
    writer.finish()
