"""One exchange file on disk: never over another tool's file, written whole or not at all [writes disk]."""

from __future__ import annotations

import zipfile
from pathlib import Path

from pipeline.errors import ExchangeError
from pipeline.read.archives import DAMAGED


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
    if out.is_dir():
        raise ExchangeError(out, "is a folder", hint=f"give a file name for the {what}")
    if out.exists() and not (force and written_by_qcode(out)):
        raise ExchangeError(out, "already exists" + (" and qcode did not write it" if force else ""),
                            hint="give another name with -o" + ("" if force or not forceable else
                                                                ", or --force to replace a file qcode wrote"))
    if not out.parent.is_dir():
        raise ExchangeError(out, f"its folder {out.parent} does not exist", hint="create it first")


def write_atomically(out: Path, data: bytes) -> None:
    partial = out.with_name(f".{out.name}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
