"""The run folder on disk: written under a temporary name, then renamed, never half-written."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
from pathlib import Path

import pandas as pd

from .errors import OutputError
from .models import ASSIGNMENT_COLUMNS, Assignment

FORMAT_VERSION = 1              # of run folders: run.json, its CSVs and the Run sheet
WORKBOOK = "codebook.xlsx"
MANIFEST = "run.json"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def check_out_dir(out: Path, force: bool, manifest_name: str = MANIFEST, workbook_name: str = WORKBOOK) -> None:
    """An existing non-empty folder is refused; --force replaces it only while its workbook
    is as qcode wrote it (a reviewer edits codebook.xlsx in place)."""
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputError(out, "exists and is not a folder", hint="choose another --out")
    if not any(out.iterdir()):
        return
    if not force:
        raise OutputError(out, "the output folder exists and is not empty",
                          hint="choose another --out, or add --force to replace a run folder qcode wrote")
    manifest = out / manifest_name
    workbook = out / workbook_name
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8")).get("workbook_sha256")
    except (OSError, ValueError):
        recorded = None
    if not recorded:
        raise OutputError(out, f"--force refused: this folder is not one qcode wrote (no {manifest_name})",
                          hint="choose another --out; qcode only replaces its own run folders")
    if workbook.exists() and sha256_file(workbook) != recorded:
        raise OutputError(workbook, "--force refused: the workbook was changed since qcode wrote it "
                          "(a reviewer's work?)", hint="choose another --out, or move the reviewed workbook away")


class RunFolder:
    """A temporary folder beside the target; `commit()` renames it into place."""

    def __init__(self, out: Path):
        self.out = out
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
        if self.tmp.exists():
            shutil.rmtree(self.tmp)
        self.tmp.mkdir()
        self._on_discard: list = []

    def on_discard(self, action) -> None:
        """Call `action()` first if the run fails (to close what writes into the folder)."""
        self._on_discard.append(action)

    def path(self, name: str) -> Path:
        return self.tmp / name

    def commit(self) -> Path:
        old = None
        if self.out.exists():
            old = self.out.parent / f".{self.out.name}.replaced-{os.getpid()}"
            self.out.rename(old)
        self.tmp.rename(self.out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return self.out

    def discard(self) -> None:
        for action in self._on_discard:
            action()
        shutil.rmtree(self.tmp, ignore_errors=True)


def seal(folder: RunFolder, manifest: dict, workbook_name: str, manifest_name: str) -> Path:
    """Record the workbook's checksum in the manifest (what --force checks), write it, rename the folder into place."""
    manifest["workbook_sha256"] = sha256_file(folder.path(workbook_name))
    write_json(folder.path(manifest_name), manifest)
    return folder.commit()


def write_csv(path: Path, frame: pd.DataFrame, index: bool = False) -> None:
    """UTF-8 with BOM, so that Excel shows Chinese correctly."""
    frame.to_csv(path, index=index, encoding="utf-8-sig", lineterminator="\n")


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n", encoding="utf-8")


class AssignmentStream:
    """Assignments streamed, as files are coded, to assignments.csv and to the workbook's desk."""

    def __init__(self, folder: RunFolder, desk):
        self.csv_path = folder.path("assignments.csv")
        self._csv_handle = open(self.csv_path, "w", encoding="utf-8-sig", newline="")
        self._csv = csv.writer(self._csv_handle, lineterminator="\n")
        self._csv.writerow(ASSIGNMENT_COLUMNS)
        self.desk = desk                      # workbook.Desk: add(assignments), discard()
        self.count = 0
        folder.on_discard(self.discard)

    def add(self, assignments: list[Assignment]) -> None:
        if not assignments:
            return
        for a in assignments:
            self._csv.writerow(a.row())
        self.desk.add(assignments)
        self.count += len(assignments)

    def close(self) -> None:
        self._csv_handle.close()

    def discard(self) -> None:
        self._csv_handle.close()
        self.desk.discard()
