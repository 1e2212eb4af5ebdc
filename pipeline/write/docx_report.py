"""A quotes report's content → a Word document (python-docx) or Markdown, written whole [writes disk].

The file records a SHA-256 of its own body (Word: in the core property `identifier`, over word/document.xml;
Markdown: in its first line, over the rest), so `--force` replaces a report only while it is as qcode wrote it:
saving it in Word or LibreOffice rewrites the body, and the report is then the researcher's.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.read.archives import DAMAGED, MAX_DOCX_UNPACKED
from pipeline.write.folder import replace_whole

SUFFIXES = (".docx", ".md")
BODY_FONT = "Calibri"              # Word's own; LibreOffice shows its metric twin Carlito, or a sans serif
CJK_FONT = "Microsoft YaHei"       # Chinese text in Word on Windows; elsewhere the system's CJK font stands in
_MARK = "qcode quotes report sha256:"
_MARK_BYTES = re.compile(rb"qcode quotes report sha256:([0-9a-f]{64})")
# Text XML cannot hold (C0 controls but tab, LF, CR; lone surrogates; U+FFFE/U+FFFF): U+FFFD, as in the CSVs.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~&!])")
_MD_LINE_START = re.compile(r"^(\s*)(\d*)([-+=.)])")   # a list item (`- `, `1. `) or a setext underline


@dataclass
class Quote:
    text: str                   # the passage as the transcript writes it
    attribution: str            # who said it, their group and country, file and line


@dataclass
class CodeSection:
    heading: str                # label and Chinese label
    code: str
    definition: str
    table: list[list[str]]      # counts by stakeholder group; the first row is the header
    summary: str                # how many passages there are and how many are quoted
    quotes: list[Quote] = field(default_factory=list)


@dataclass
class QuotesDocument:
    title: str
    facts: list[tuple[str, str]]        # the title page: what was coded, when, how
    rule: str                           # how the quotes were chosen
    sections: list[CodeSection]


def xml_text(text: str) -> str:
    """Text Word's XML can hold, line ends as LF (python-docx makes each LF a line break)."""
    return _NOT_XML.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))


def write_report(path: Path, document: QuotesDocument) -> Path:
    """Write the report as .docx or .md (by `path`'s suffix), whole or not at all."""
    if path.suffix.lower() == ".md":
        return replace_whole(path, lambda partial: partial.write_bytes(markdown_bytes(document)))
    return replace_whole(path, lambda partial: _docx(document).save(str(partial)))


def _docx(content: QuotesDocument):
    from docx import Document
    from docx.enum.text import WD_BREAK
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT                       # the template's theme font renders as a serif elsewhere
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)
    document.add_heading(xml_text(content.title), 0)
    for key, value in content.facts:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{xml_text(key)}: ").bold = True
        paragraph.add_run(xml_text(value))
    document.add_heading("How the quotes were chosen", 2)
    document.add_paragraph(xml_text(content.rule))
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    for section in content.sections:
        document.add_heading(xml_text(section.heading), 1)
        kept = document.add_paragraph()                     # a code's heading, definition and table stay together
        kept.paragraph_format.keep_with_next = True
        code = kept.add_run(f"code: {xml_text(section.code)}")
        code.font.size, code.font.color.rgb = Pt(9), RGBColor(0x59, 0x59, 0x59)
        if section.definition:
            kept = document.add_paragraph()
            kept.paragraph_format.keep_with_next = True
            kept.add_run(xml_text(section.definition)).italic = True
        table = document.add_table(rows=len(section.table), cols=len(section.table[0]))
        table.style = "Table Grid"
        for r, row in enumerate(section.table):
            for c, value in enumerate(row):
                cell = table.cell(r, c)
                cell.text = xml_text(str(value))
                cell.paragraphs[0].paragraph_format.keep_with_next = r < len(section.table) - 1
                if r == 0:
                    for run in cell.paragraphs[0].runs:
                        run.bold = True
        document.add_paragraph(xml_text(section.summary)).paragraph_format.space_before = Pt(6)
        for quote in section.quotes:
            document.add_paragraph(xml_text(quote.text), style="Quote").paragraph_format.keep_with_next = True
            attribution = document.add_paragraph().add_run(f"— {xml_text(quote.attribution)}")
            attribution.font.size = Pt(9)
    properties = document.core_properties
    properties.title, properties.author, properties.last_modified_by = xml_text(content.title)[:200], "qcode", "qcode"
    properties.identifier = _MARK + hashlib.sha256(document.part.blob).hexdigest()
    return document


def md_text(text: str) -> str:
    """Text from a transcript or roster as Markdown shows it literally: punctuation that would format, link or
    open HTML escaped, and a line that would start a list or heading escaped."""
    lines = _MD_SPECIAL.sub(r"\\\1", xml_text(text)).split("\n")
    return "\n".join(_MD_LINE_START.sub(r"\1\2\\\3", line) for line in lines)


def _md_cell(value) -> str:
    """Text inside a line (a list item, a table cell, a heading): on one line, formatting escaped."""
    return _MD_SPECIAL.sub(r"\\\1", xml_text(" ".join(str(value).split())))


def markdown_bytes(content: QuotesDocument) -> bytes:
    out = [f"# {_md_cell(content.title)}", ""]
    out += [f"- **{_md_cell(key)}**: {_md_cell(value)}" for key, value in content.facts]
    out += ["", "## How the quotes were chosen", "", md_text(content.rule), ""]
    for section in content.sections:
        out += [f"## {_md_cell(section.heading)}", "", f"code: `{section.code.replace('`', '')}`", ""]
        if section.definition:
            out += [f"*{_md_cell(section.definition)}*", ""]
        header, *rows = section.table
        out += ["| " + " | ".join(_md_cell(v) for v in header) + " |",
                "|" + "---|" * len(header)]
        out += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
        out += ["", md_text(section.summary), ""]
        for quote in section.quotes:
            out += ["> " + line if line else ">" for line in md_text(quote.text).split("\n")]
            out += [">", f"> — {_md_cell(quote.attribution)}", ""]
    body = ("\n".join(out) + "\n").encode("utf-8")
    return f"<!-- {_MARK}{hashlib.sha256(body).hexdigest()} -->\n".encode() + body


def report_written_by_qcode(path: Path) -> bool:
    """Whether an existing .docx or .md is a quotes report qcode wrote and nobody has saved since."""
    try:
        if path.suffix.lower() == ".md":
            with open(path, "rb") as handle:
                first = handle.readline(200)
                mark = _MARK_BYTES.search(first)
                return bool(mark) and _sha256(handle, MAX_DOCX_UNPACKED) == mark.group(1).decode()
        with zipfile.ZipFile(path) as archive:
            core = archive.getinfo("docProps/core.xml")
            body = archive.getinfo("word/document.xml")
            if core.file_size > 1 << 20 or body.file_size > MAX_DOCX_UNPACKED:
                return False
            mark = _MARK_BYTES.search(archive.read(core))
            with archive.open(body) as part:
                return bool(mark) and _sha256(part, MAX_DOCX_UNPACKED) == mark.group(1).decode()
    except (KeyError, *DAMAGED):                   # not a zip, no such part, damaged: not one qcode wrote
        return False


def _sha256(handle, limit: int) -> str:
    digest, read = hashlib.sha256(), 0
    while block := handle.read(1 << 20):
        read += len(block)
        if read > limit:
            return ""
        digest.update(block)
    return digest.hexdigest()
