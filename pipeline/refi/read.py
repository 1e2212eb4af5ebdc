"""Read a REFI-QDA file another tool wrote (.qdc, .qdpx, .qde): its XML root and its packaged sources."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import ExchangeError, note
from pipeline.read.archives import check_parts
from pipeline.refi.xml import CODEBOOK_NS, PROJECT_NS, namespace_of, parse, schema_errors

WRITERS = "NVivo, ATLAS.ti, MAXQDA or QualCoder"


@dataclass
class ExchangeFile:
    path: Path
    root: ET.Element
    ns: str                                   # CODEBOOK_NS or PROJECT_NS
    archive: zipfile.ZipFile | None = None    # a .qdpx's zip, for its sources/
    notes: list = field(default_factory=list)

    @property
    def origin(self) -> str:
        return self.root.get("origin", "")

    def tag(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def source_bytes(self, internal: str) -> bytes | None:
        """The bytes of `sources/<internal>` in a .qdpx (the folder name in any case), or None."""
        if self.archive is None:
            return None
        wanted = f"sources/{internal}".lower()
        for name in self.archive.namelist():
            if name.lower() == wanted:
                return self.archive.read(name)
        return None


def read_exchange(path: Path) -> ExchangeFile:
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ExchangeError(path, "does not exist",
                            hint=f"give a .qdc, .qdpx or .qde file exported by {WRITERS}") from None
    except OSError as error:
        raise ExchangeError(path, f"cannot be read ({error.strerror})", hint="check the file's permissions") from None
    archive = None
    if data[:4] == b"PK\x03\x04":
        archive, data = _project_in_archive(path, data)
    root = parse(data, str(path))
    ns = namespace_of(root)
    if ns not in (CODEBOOK_NS, PROJECT_NS):
        raise ExchangeError(path, f"is XML but not a REFI-QDA codebook or project (root <{root.tag}>)",
                            hint=f"export a codebook (.qdc) or project (.qdpx) from {WRITERS}")
    exchange = ExchangeFile(path, root, ns, archive)
    errors = schema_errors(root, ns, limit=3)
    if errors:
        exchange.notes.append(note(str(path), "is not strictly valid against the REFI-QDA schema; read as far as "
                                   "possible: " + "; ".join(errors)))
    return exchange


def _project_in_archive(path: Path, data: bytes) -> tuple[zipfile.ZipFile, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ExchangeError(path, "starts like a zip archive but is damaged",
                            hint=f"export the project again from {WRITERS}") from None

    def refuse(message: str):
        raise ExchangeError(path, message, hint=f"export the project again from {WRITERS}")

    check_parts(archive, refuse, WRITERS)
    qde = [n for n in archive.namelist() if n.lower().endswith(".qde") and "/" not in n.strip("/")]
    if len(qde) != 1:
        raise ExchangeError(path, "is a zip archive without exactly one project.qde at its top"
                            + (f" (found {', '.join(qde)})" if qde else ""),
                            hint="a .qdpx holds project.qde and a sources/ folder; export it again")
    return archive, archive.read(qde[0])
