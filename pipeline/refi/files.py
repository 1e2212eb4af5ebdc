"""One exchange file on disk: never over another tool's file, written whole or not at all [writes disk]."""

from __future__ import annotations

import zipfile
from pathlib import Path

from pipeline.errors import ExchangeError
from pipeline.read.archives import DAMAGED
from pipeline.write.folder import check_file_target, replace_whole


def written_by_qcode(path: Path) -> bool:
    """Whether an existing exchange file is one qcode wrote (so --force may replace it)."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive, archive.open("project.qde") as part:
                head = part.read(4096)
        else:
            with open(path, "rb") as handle:
                head = handle.read(4096)
    except (KeyError, *DAMAGED):       # a damaged zip is not one qcode wrote (nor to be replaced)
        return False
    return b'origin="qcode ' in head


def check_target(out: Path, force: bool, what: str, forceable: bool = True) -> None:
    """Refuse to overwrite a file, unless --force and qcode wrote it (`forceable`: the command has --force;
    import-codebook has none, since a codebook YAML is the researcher's to edit)."""
    check_file_target(out, force, what, written_by_qcode, ExchangeError,
                      replaceable="a file qcode wrote" if forceable else "")


def write_atomically(out: Path, data: bytes) -> None:
    replace_whole(out, lambda partial: partial.write_bytes(data))
