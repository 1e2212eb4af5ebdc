"""Zip packages from elsewhere (.docx, .qdpx): refuse bombs and XML with DTDs before reading them."""

from __future__ import annotations

import zipfile

MAX_PART = 256 * 1024 * 1024      # uncompressed bytes of one part
MAX_RATIO = 1000                  # uncompressed / compressed, beyond which it is a bomb


def check_parts(archive: zipfile.ZipFile, refuse, writer: str) -> None:
    """Call `refuse(message)` for a part that would unpack too large or an XML part declaring a DTD.

    `writer` names the software that makes such packages, for the message ("Word", "NVivo, ATLAS.ti …").
    """
    for info in archive.infolist():
        if info.file_size > MAX_PART or info.file_size > MAX_RATIO * max(info.compress_size, 1024):
            refuse(f"refused: part {info.filename} would unpack to {info.file_size:,} bytes from "
                   f"{info.compress_size:,} (a zip bomb?)")
        if info.filename.lower().endswith((".xml", ".rels", ".qde")) and _part_declares_dtd(archive, info):
            refuse(f"refused: {info.filename} declares a DTD or entities, which {writer} never writes "
                   "(entity-expansion attack?)")


def declares_dtd(data: bytes) -> bool:
    return b"<!DOCTYPE" in data or b"<!ENTITY" in data


def _part_declares_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Scan a part in blocks (bounded memory) for `<!DOCTYPE` or `<!ENTITY`."""
    tail = b""
    with archive.open(info) as part:
        while block := part.read(1 << 20):
            if declares_dtd(tail + block):
                return True
            tail = block[-16:]
    return False
