"""Zip packages from elsewhere (.docx, .xlsx, .qdpx) → opened only once every part has been checked.

Every zip qcode reads passes `open_archive` (or `check_archive`) before a parser sees it: the number
of parts, each part's and the total uncompressed size, the compression ratio, every part read once in
bounded blocks (which verifies its CRC) and the XML parts scanned for DTDs. What fails is refused
through the caller's `refuse(message)`, which raises the caller's error naming the file.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO, NoReturn

# Parts in one package: an .xlsx holds ~25, a .docx ~20 plus its images, a .qdpx one per source. Ten
# thousand is a project of thousands of sources; more is a zip made to be slow to list and check.
MAX_PARTS = 10_000
# One part unpacked: a reviewed workbook of 95,000 assignments has a 386 MB Assignments sheet (measured
# on the zh-interviews corpus: ~4 KB of sheet XML per assignment), so 1 GiB leaves room for ~250,000.
MAX_PART = 1024 * 1024 * 1024
# Uncompressed ÷ compressed. Real packages measured: sheet XML 10-26, Word's styles 32; deflate reaches
# ~1,030 on repeated bytes, which is what a bomb is made of. Only judged for parts over RATIO_FLOOR,
# since a small part cannot fill the memory whatever its ratio.
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024
# Everything unpacked, by what the package is. A reviewed workbook holds the whole desk (see MAX_PART);
# `qcode audit` reads it in ~1.3 bytes of memory per byte of sheet XML (500 MB for the 386 MB sheet).
MAX_WORKBOOK_UNPACKED = 2 * 1024 * 1024 * 1024
# A roster, a codebook .xlsx or a score sheet is read whole into a list of rows; a roster of 10,000
# interviewees or a codebook of 20,000 terms is a few MB of sheet XML.
MAX_TABLE_UNPACKED = 64 * 1024 * 1024
# python-docx holds every part of a .docx in memory and lxml ~10x its document.xml; a 500-page
# transcript's document.xml is ~5 MB, so 64 MB keeps one Word file well under a gigabyte.
MAX_DOCX_UNPACKED = 64 * 1024 * 1024
# A REFI-QDA project: project.qde (read whole, at most refi.xml.MAX_XML) and its sources, read one at a
# time; media sources (audio, video) do not compress, so they count against the total, not the ratio.
MAX_PROJECT_UNPACKED = 4 * 1024 * 1024 * 1024
BLOCK = 1024 * 1024                 # bytes read at a time while checking a part

XML_PARTS = (".xml", ".rels", ".qde", ".vml")
# What a damaged or unreadable zip raises from zipfile and zlib while it is listed or read.
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError, NotImplementedError)

Refuse = Callable[[str], NoReturn]


def open_archive(source: Path | IO[bytes], refuse: Refuse, writer: str,
                 max_unpacked: int = MAX_WORKBOOK_UNPACKED) -> zipfile.ZipFile:
    """A zip archive whose every part passed `check_archive`; `refuse` for a file that is not one."""
    try:
        archive = zipfile.ZipFile(source)
    except DAMAGED as exc:
        refuse(f"is not a zip archive, or a damaged one ({_reason(exc)})")
    try:
        check_archive(archive, refuse, writer, max_unpacked)
    except BaseException:
        archive.close()
        raise
    return archive


def check_archive(archive: zipfile.ZipFile, refuse: Refuse, writer: str,
                  max_unpacked: int = MAX_WORKBOOK_UNPACKED) -> None:
    """Call `refuse(message)` for a package too large unpacked, a bomb, a damaged part or a DTD.

    `writer` names the software that makes such packages, for the message ("Word", "Excel" …).
    """
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        refuse(f"refused: holds {len(parts):,} parts, more than qcode opens ({MAX_PARTS:,}); "
               f"{writer} writes a few dozen")
    total = 0
    for info in parts:
        size, packed = info.file_size, info.compress_size
        if size > min(MAX_PART, max_unpacked) or (size > RATIO_FLOOR and size > MAX_RATIO * max(packed, 1)):
            refuse(f"refused: part {info.filename} would unpack to {size:,} bytes from {packed:,} (a zip bomb?)")
        total += size
        if total > max_unpacked:
            refuse(f"refused: its parts would unpack to more than {max_unpacked:,} bytes, more than qcode "
                   "reads from such a file (a zip bomb?)")
    for info in parts:
        try:
            declares = _read_part(archive, info)
        except DAMAGED as exc:
            refuse(f"is damaged: part {info.filename} cannot be unpacked ({_reason(exc)})")
        if declares:
            refuse(f"refused: {info.filename} declares a DTD or entities, which {writer} never writes "
                   "(entity-expansion attack?)")


# `<!DOCTYPE` and `<!ENTITY` as they appear in the encodings an XML parser accepts with no declaration of its own:
# UTF-8 (and ASCII, Latin-1) and UTF-16 either way round — a UTF-16 part must not slip a DTD past a UTF-8 search.
_DTD_MARKS = tuple(mark.encode(encoding) for mark in ("<!DOCTYPE", "<!ENTITY")
                   for encoding in ("utf-8", "utf-16-le", "utf-16-be"))


def declares_dtd(data: bytes) -> bool:
    return any(mark in data for mark in _DTD_MARKS)


def marks_in(part, marks: tuple[bytes, ...]) -> set[bytes]:
    """Which of `marks` a stream holds, read to its end in blocks (bounded memory; a mark cut by a block's edge is
    found too)."""
    found: set[bytes] = set()
    overlap, tail = max(map(len, marks)) - 1, b""
    while block := part.read(BLOCK):
        window = tail + block
        found.update(mark for mark in marks if mark not in found and mark in window)
        tail = window[-overlap:]
    return found


def _read_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Read a part to its end in blocks (zipfile checks the CRC there); whether an XML part declares a DTD."""
    with archive.open(info) as part:
        if info.filename.lower().endswith(XML_PARTS):
            return bool(marks_in(part, _DTD_MARKS))
        while part.read(BLOCK):
            pass
    return False


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
