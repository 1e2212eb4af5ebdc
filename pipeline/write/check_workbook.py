"""The tables of `qcode check --corpus` → check.xlsx (sheets Terms, Near misses, Candidates), never over a file
qcode did not write, written whole or not at all [writes disk]."""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from pipeline.errors import OutputError
from pipeline.read.archives import DAMAGED
from pipeline.versions import __version__
from pipeline.write.excel import write_frame

TITLE = "qcode check"           # the workbook's title property: how --force knows a check workbook qcode wrote
_MARK = f">{TITLE}</dc:title>".encode()


def default_check_path(base: Path = Path("outputs")) -> Path:
    """outputs/check-DATE_TIME.xlsx, made unique with -2, -3, … (the folder is not created)."""
    stamp = dt.datetime.now().strftime("check-%Y-%m-%d_%H%M%S")
    out, n = base / f"{stamp}.xlsx", 2
    while out.exists():
        out, n = base / f"{stamp}-{n}.xlsx", n + 1
    return out


def written_check(path: Path) -> bool:
    """Whether an existing file is a check workbook qcode wrote (its title property says so)."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open("docProps/core.xml") as part:
            return _MARK in part.read(64 * 1024)
    except (KeyError, *DAMAGED):
        return False


def check_target(out: Path, force: bool) -> None:
    """Refuse to write over a file, unless --force and it is a check workbook qcode wrote."""
    if out.suffix.lower() != ".xlsx":
        raise OutputError(out, "the check workbook must be an .xlsx file", hint="give a name ending in .xlsx")
    if out.is_dir():
        raise OutputError(out, "is a folder", hint="give a file name for the check workbook")
    if out.exists() and not (force and written_check(out)):
        raise OutputError(out, "already exists" + (" and is not a check workbook qcode wrote" if force else ""),
                          hint="give another name with -o" + ("" if force else ", or --force to replace a check "
                                                                  "workbook qcode wrote"))
    if not out.parent.is_dir():
        raise OutputError(out, f"its folder {out.parent} does not exist", hint="create it first")


def write_check_workbook(out: Path, terms: pd.DataFrame, near: pd.DataFrame, candidates: pd.DataFrame) -> Path:
    """The three sheets, saved under a hidden name and renamed into place."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = TITLE
    workbook.properties.creator = f"qcode {__version__}"
    write_frame(workbook, "Terms", terms)
    write_frame(workbook, "Near misses", near, wrap={"example_1", "example_2", "example_3"})
    write_frame(workbook, "Candidates", candidates)
    partial = out.with_name(f".{out.name}.partial")
    try:
        workbook.save(partial)
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return out
