"""Read a REFI-QDA file another tool wrote (.qdc, .qdpx, .qde): its XML root and its packaged sources."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import ExchangeError, note
from pipeline.read.archives import MAX_PROJECT_UNPACKED, open_archive
from pipeline.refi.xml import CODEBOOK_NS, MAX_XML, PROJECT_NS, namespace_of, parse, schema_errors

WRITERS = "NVivo, ATLAS.ti, MAXQDA or QualCoder"
# Elements nested in one another. A REFI-QDA file nests ~6 levels besides its code tree, and a code
# tree of NVivo, ATLAS.ti or MAXQDA a handful more; 5,000 levels overflowed Python's recursion in
# the schema check and the code walk, so a deeper file is refused before either.
MAX_DEPTH = 200


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
        with open(path, "rb") as handle:
            head = handle.read(4)
            size = handle.seek(0, 2)
            archive = None
            if head == b"PK\x03\x04":
                archive, data = _project_in_archive(path)
            elif size > MAX_XML:
                raise ExchangeError(path, f"is {size:,} bytes of XML, more than qcode reads ({MAX_XML:,})",
                                    hint="export the codebook alone (.qdc) from your QDA software")
            else:
                handle.seek(0)
                data = handle.read()
    except FileNotFoundError:
        raise ExchangeError(path, "does not exist",
                            hint=f"give a .qdc, .qdpx or .qde file exported by {WRITERS}") from None
    except OSError as error:
        raise ExchangeError(path, f"cannot be read ({error.strerror})", hint="check the file's permissions") from None
    root = parse(data, str(path))
    del data
    _check_depth(root, path)
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


def _check_depth(root: ET.Element, path: Path) -> None:
    """Refuse elements nested deeper than MAX_DEPTH (walked without recursion)."""
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExchangeError(path, f"nests its elements more than {MAX_DEPTH} levels deep (a <{_local(element)}> "
                                "inside that many others), more than any codebook or project holds",
                                hint=f"flatten the code tree in {WRITERS} and export it again")
        stack.extend((child, depth + 1) for child in element)


def _local(element: ET.Element) -> str:
    return element.tag.rpartition("}")[2]


def _project_in_archive(path: Path) -> tuple[zipfile.ZipFile, bytes]:
    def refuse(message: str):
        raise ExchangeError(path, message, hint=f"export the project again from {WRITERS}")

    archive = open_archive(path, refuse, WRITERS, MAX_PROJECT_UNPACKED)
    qde = [n for n in archive.namelist() if n.lower().endswith(".qde") and "/" not in n.strip("/")]
    if len(qde) != 1:
        archive.close()
        raise ExchangeError(path, "is a zip archive without exactly one project.qde at its top"
                            + (f" (found {', '.join(qde)})" if qde else ""),
                            hint="a .qdpx holds project.qde and a sources/ folder; export it again")
    if archive.getinfo(qde[0]).file_size > MAX_XML:
        archive.close()
        raise ExchangeError(path, f"{qde[0]} unpacks to more XML than qcode reads ({MAX_XML:,} bytes)",
                            hint="export the codebook alone (.qdc) from your QDA software")
    return archive, archive.read(qde[0])
