"""An output folder on disk (run, audit, compare, scores, agreement): claimed, written under a temporary name,
then renamed into place — never half-written [writes disk]."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from pathlib import Path

import pandas as pd

from pipeline.errors import OutputError
from pipeline.versions import __version__

FORMAT_VERSION = 1              # of every folder qcode writes: its manifest, CSVs and workbook
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


class OutputFolder:
    """The one skeleton of every command that writes a folder.

        folder = OutputFolder(options.out, options.force)     # refuses a folder it may not replace
        ...                                                    # read inputs, compute
        with folder:                                           # a temporary folder beside the target
            write_csv(folder.path("x.csv"), frame)
            out = folder.seal(manifest)                        # or folder.commit() where the manifest is written

    Leaving the `with` block by an exception (Ctrl-C included) removes the temporary folder after
    calling what `on_discard` registered (to close writers), and the target is left as it was.
    """

    def __init__(self, out: Path, force: bool = False, workbook: str = WORKBOOK, manifest: str = MANIFEST):
        check_out_dir(out, force, manifest_name=manifest, workbook_name=workbook)
        self.out = out
        self.workbook = workbook
        self.manifest = manifest
        self.tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
        self._on_discard: list = []

    def __enter__(self) -> OutputFolder:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        if self.tmp.exists():
            shutil.rmtree(self.tmp)
        self.tmp.mkdir()
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is not None:
            self.discard()

    def on_discard(self, action) -> None:
        """Call `action()` first if the command fails (to close what writes into the folder)."""
        self._on_discard.append(action)

    def path(self, name: str) -> Path:
        return self.tmp / name

    def seal(self, manifest: dict) -> Path:
        """Record the workbook's checksum in the manifest (what --force checks), write it, rename into place."""
        manifest["workbook_sha256"] = sha256_file(self.path(self.workbook))
        write_json(self.path(self.manifest), manifest)
        return self.commit()

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


def manifest_header(**fields) -> dict:
    """The first keys of every manifest qcode writes: format, qcode's version, when (then `fields`)."""
    return {"format_version": FORMAT_VERSION, "qcode_version": __version__,
            "created": dt.datetime.now().astimezone().isoformat(timespec="seconds"), **fields}


def default_out_dir(kind: str = "run", base: Path = Path("outputs")) -> Path:
    """outputs/KIND-DATE_TIME, made unique with -2, -3, … (not created)."""
    stamp = dt.datetime.now().strftime(f"{kind}-%Y-%m-%d_%H%M%S")
    out = base / stamp
    n = 2
    while out.exists():
        out = base / f"{stamp}-{n}"
        n += 1
    return out


def write_csv(path: Path, frame: pd.DataFrame, index: bool = False) -> None:
    """UTF-8 with BOM, so that Excel shows Chinese correctly."""
    frame.to_csv(path, index=index, encoding="utf-8-sig", lineterminator="\n")


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n", encoding="utf-8")
