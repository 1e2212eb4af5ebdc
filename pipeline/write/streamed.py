"""Rows of the largest sheets (the reviewer's desk, the numbered transcripts) → their sheet XML, written by qcode
itself and spliced into the workbook openpyxl saves [writes disk].

openpyxl makes a cell object for every value, hashes every style assigned and writes each cell through lxml's
incremental writer: ≈20 µs a cell, most of a cached re-run's time. Here a row is one string: the cells are the
same XML openpyxl writes (inline strings, rich text runs, numbers, the style ids openpyxl itself gave the
styles, row heights), but in UTF-8 rather than character references. The header, column widths, frozen panes,
filter, drop-downs and page setup stay openpyxl's: the sheet is saved with its header row alone, and
`save_workbook` puts the rows streamed to a temporary file (never held in memory) before its `</sheetData>`.
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import weakref
import zipfile
from contextlib import suppress
from pathlib import Path

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.compat.strings import safe_string
from openpyxl.utils import get_column_letter
from openpyxl.xml.functions import tostring

NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")     # not characters XML can hold (lxml refuses them)
_END = "</sheetData>"
# zlib's level for the saved workbook: 3 deflates a corpus workbook in half the time of the default 6, 9 % larger
# (both corpora: 0.29 s and 7.9 MB against 0.60 s and 7.2 MB)
COMPRESS_LEVEL = 3
_streams: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # workbook → its RowStreams


def escaped(text: str) -> str:
    """Text as XML character data, as lxml writes it (a carriage return kept as `&#13;`)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return NOT_XML.sub("\ufffd", text)          # never in a cleaned cell; kept as a safety net


def inline_text(text: str) -> str:
    """A plain inline string's <t>: whitespace at either end kept (openpyxl: `value != value.strip()`)."""
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<t{space}>{escaped(text)}</t>"


def _run_text(text: str) -> str:
    """A rich-text run's <t> (openpyxl's `whitespace`: kept only around text that is not all spaces)."""
    stripped = text.strip()
    space = ' xml:space="preserve"' if stripped and text != stripped else ""
    return f"<t{space}>{escaped(text)}</t>"


class RowStream:
    """The data rows of one write-only sheet (row 2 on), written as XML to a temporary file; `style_id` gives the
    id openpyxl registered for an alignment and number format, so styles.xml holds every style a row uses."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.workbook = sheet.parent
        self.file = tempfile.TemporaryFile()
        self._fonts: dict[int, tuple[object, str]] = {}
        _streams.setdefault(self.workbook, []).append(self)

    def style_id(self, alignment=None, number_format: str | None = None) -> int:
        """openpyxl's id of a cell style (0: the default, written without `s`)."""
        cell = WriteOnlyCell(self.sheet)
        if alignment is not None:
            cell.alignment = alignment
        if number_format is not None:
            cell.number_format = number_format
        return cell.style_id if cell.has_style else 0

    def write(self, row: int, cells: list[tuple[str, object, int]], height: float | None) -> None:
        """Row `row`: (column letter, value, style id) for each cell; a None value is written only when styled,
        as openpyxl does."""
        parts = [f'<row r="{row}" ht="{safe_string(height)}" customHeight="1">' if height is not None
                 else f'<row r="{row}">']
        for letter, value, style in cells:
            where = f'<c r="{letter}{row}" s="{style}"' if style else f'<c r="{letter}{row}"'
            if isinstance(value, str):
                parts.append(f'{where} t="inlineStr"><is>{inline_text(value)}</is></c>' if value
                             else f'{where} t="inlineStr"></c>')
            elif value is None:
                if style:
                    parts.append(f'{where} t="n"></c>')
            elif isinstance(value, CellRichText):
                parts.append(f'{where} t="inlineStr"><is>{self._rich(value)}</is></c>')
            elif isinstance(value, bool):
                parts.append(f'{where} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float):         # NaN and infinity: an empty <v>, as openpyxl writes
                parts.append(f'{where} t="n"><v>{safe_string(value)}</v></c>')
            else:
                raise TypeError(f"a streamed sheet holds text, numbers and rich text, not {type(value).__name__}")
        parts.append("</row>")
        self.file.write("".join(parts).encode("utf-8"))

    def _rich(self, value: CellRichText) -> str:
        out = []
        for part in value:
            if isinstance(part, TextBlock):
                out.append(f"<r>{self._font(part.font)}{_run_text(part.text)}</r>")
            else:
                out.append(f"<r>{_run_text(part)}</r>")
        return "".join(out)

    def _font(self, font) -> str:
        known = self._fonts.get(id(font))
        if known is None or known[0] is not font:
            known = (font, tostring(font.to_tree(tagname="rPr")).decode())
            self._fonts[id(font)] = known
        return known[1]

    def close(self) -> None:
        """Close (and so delete) the temporary file; rows it could not take (a full disk) are given up."""
        try:
            self.file.close()
        except OSError:
            with suppress(OSError):
                self.file.close()


def letters(count: int) -> list[str]:
    return [get_column_letter(i) for i in range(1, count + 1)]


def save_workbook(workbook, path: str | Path) -> None:
    """Save a write-only workbook to `path`, each RowStream's rows in its sheet."""
    streams = {s.sheet.title: s for s in _streams.pop(workbook, [])}
    if not streams:
        workbook.save(path)
        return
    saved = io.BytesIO()                # the workbook without the streamed rows: small
    workbook.save(saved)
    members = {s.sheet.path.lstrip("/"): s for s in streams.values()}
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True,
                                                           compresslevel=COMPRESS_LEVEL) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            stream = members.pop(info.filename, None)
            if stream is None:
                target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL)
                continue
            xml = data.decode("utf-8")
            if xml.count(_END) != 1:
                raise ValueError(f"{info.filename}: no single {_END} to put the streamed rows before")
            head, tail = xml.split(_END)
            size = stream.file.tell()
            stream.file.seek(0)
            entry = zipfile.ZipInfo(info.filename, info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry._compresslevel = COMPRESS_LEVEL       # `compress_level` from Python 3.13, which keeps this name
            with target.open(entry, "w", force_zip64=size + len(data) > zipfile.ZIP64_LIMIT // 2) as out:
                out.write(head.encode("utf-8"))
                shutil.copyfileobj(stream.file, out, 1 << 20)
                out.write((_END + tail).encode("utf-8"))
            stream.close()
    if members:
        raise ValueError(f"streamed sheets not found in the saved workbook: {sorted(members)}")


def discard_streams(workbook) -> None:
    """Close (and so delete) the temporary files of a workbook that will not be saved."""
    for stream in _streams.pop(workbook, []):
        stream.close()
