"""The tables of `qcode check --corpus` → check.xlsx (sheets Terms, Near misses, Candidates), never over a file
qcode did not write, written whole or not at all [writes disk]."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from pipeline.read.archives import DAMAGED
from pipeline.versions import __version__
from pipeline.write.excel import write_frame
from pipeline.write.folder import check_file_target, default_out_dir, replace_whole

TITLE = "qcode check"           # the workbook's title property: how --force knows a check workbook qcode wrote
_MARK = f">{TITLE}</dc:title>".encode()


def default_check_path(base: Path = Path("outputs")) -> Path:
    """outputs/check-DATE_TIME.xlsx, made unique with -2, -3, … (the folder is not created)."""
    return default_out_dir("check", base, suffix=".xlsx")


def written_check(path: Path) -> bool:
    """Whether an existing file is a check workbook qcode wrote (its title property says so)."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open("docProps/core.xml") as part:
            return _MARK in part.read(64 * 1024)
    except (KeyError, *DAMAGED):
        return False


def check_target(out: Path, force: bool) -> None:
    """Refuse to write over a file, unless --force and it is a check workbook qcode wrote."""
    check_file_target(out, force, "check workbook", written_check, not_ours="is not a check workbook qcode wrote",
                      replaceable="a check workbook qcode wrote", suffix=".xlsx")


def write_check_workbook(out: Path, terms: pd.DataFrame, near: pd.DataFrame, candidates: pd.DataFrame) -> Path:
    """The three sheets, saved under a hidden name and renamed into place."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = TITLE
    workbook.properties.creator = f"qcode {__version__}"
    write_frame(workbook, "Terms", terms)
    write_frame(workbook, "Near misses", near, wrap={"example_1", "example_2", "example_3"})
    write_frame(workbook, "Candidates", candidates)
    return replace_whole(out, workbook.save)
