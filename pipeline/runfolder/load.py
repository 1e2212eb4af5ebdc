"""A run folder on disk → its manifest, roster, per-interviewee counts and codebook, checked."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.errors import CodebookError, RunFolderError
from pipeline.models import Codebook
from pipeline.read.codebook import codebook_from_yaml
from pipeline.write.folder import FORMAT_VERSION, MANIFEST, read_csv_table

READABLE_FORMATS = (FORMAT_VERSION,)
_NEEDED = {"roster.csv": ["interviewee_id", "stakeholder_groups", "respondent_words"],
           "by_interviewee.csv": ["interviewee_id", "code", "mentions"]}


UNITS = ("sentence", "turn")


def manifest_damage(manifest) -> str:
    """What is wrong with a run's record as a later command reads it ("" when nothing is), so that a damaged or
    hand-edited run.json / Run sheet is a message, never a KeyError or TypeError deep inside a command."""
    if not isinstance(manifest, dict):
        return "it is not a JSON object"
    codebook, inputs, options = manifest.get("codebook"), manifest.get("inputs", {}), manifest.get("options", {})
    files = manifest.get("files", [])
    if not isinstance(codebook, dict) or not isinstance(codebook.get("yaml"), str):
        return "it holds no codebook"
    if not isinstance(inputs, dict) or not isinstance(inputs.get("transcripts", ""), str):
        return "its `inputs` are not the run's inputs"
    for name in ("roster", "user_dict", "codebook"):
        entry = inputs.get(name)
        if entry is not None and not (isinstance(entry, dict) and isinstance(entry.get("path"), str)
                                      and isinstance(entry.get("sha256"), str)):
            return f"its `inputs.{name}` is not a path with a checksum"
    if not isinstance(options, dict) or options.get("unit", "sentence") not in UNITS:
        return f"its coding unit {options.get('unit') if isinstance(options, dict) else options!r} is not one of " \
               f"{', '.join(UNITS)}"
    limit = options.get("max_file_mb", 1)
    if isinstance(limit, bool) or not isinstance(limit, int | float) or not 0 < limit < math.inf:
        return f"its max_file_mb {limit!r} is not a positive number"
    if not isinstance(files, list) or not all(isinstance(f, dict) and isinstance(f.get("source_file"), str)
                                              and isinstance(f.get("sha256"), str) for f in files):
        return "its `files` are not a list of coded files with checksums"
    for entry in files:
        if leads_out(entry["source_file"]):
            return f"it names a transcript {entry['source_file']!r} outside its transcripts folder"
    return ""


def leads_out(source_file: str) -> bool:
    """Whether a transcript name from a run's record leads out of its folder (empty, absolute, or through `..`)."""
    name = Path(source_file)
    return not source_file or name.is_absolute() or ".." in name.parts


@dataclass
class RunTables:
    """What a later command reads back from a run folder."""

    path: Path
    manifest: dict
    roster: pd.DataFrame          # roster as used: one row per coded interviewee, text columns
    counts: pd.DataFrame          # by_interviewee: interviewee_id, code, mentions (and units, since they are counted)
    codebook: Codebook

    @property
    def coding(self) -> str:
        return self.manifest.get("coding", "machine")

    def table(self, name: str) -> pd.DataFrame:
        """Any CSV table of the run folder by name (`assignments`, `by_group`, `by_term`, …), cells as text."""
        return _read_table(self.path / f"{Path(name).stem}.csv", [])


def load_run(folder: Path) -> RunTables:
    folder = Path(folder)
    if not folder.is_dir():
        raise RunFolderError(folder, "no such run folder" if not folder.exists() else "is not a folder",
                             hint="give a folder written by `qcode run` or `qcode audit`")
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise RunFolderError(folder, "not a qcode run folder (no run.json)",
                             hint="give a folder written by `qcode run` or `qcode audit`")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise RunFolderError(manifest_path, f"cannot be read as JSON ({error})",
                             hint="re-run `qcode run` to write the folder again") from None
    if not isinstance(manifest, dict) or "format_version" not in manifest:
        raise RunFolderError(manifest_path, "not a qcode manifest (no format_version)",
                             hint="give a folder written by `qcode run` or `qcode audit`")
    if (damage := manifest_damage(manifest)) and "codebook" not in damage:
        raise RunFolderError(manifest_path, f"is damaged: {damage}",
                             hint="re-run `qcode run` to write the folder again")
    if manifest["format_version"] not in READABLE_FORMATS:
        raise RunFolderError(manifest_path, f"run folder format {manifest['format_version']!r} is not one this "
                             f"qcode reads ({', '.join(map(str, READABLE_FORMATS))})",
                             hint="re-code the transcripts with this qcode, or use the qcode that wrote it")
    tables = {name: _read_table(folder / name, columns) for name, columns in _NEEDED.items()}
    try:
        codebook = codebook_from_yaml(manifest["codebook"]["yaml"], f"{manifest_path} (codebook)")
    except (KeyError, TypeError):
        raise RunFolderError(manifest_path, "holds no codebook", hint="re-run `qcode run`") from None
    except CodebookError as error:
        raise RunFolderError(manifest_path, f"its codebook cannot be read: {error.problem}") from None
    counts, roster = tables["by_interviewee.csv"], tables["roster.csv"]
    counts["mentions"] = counted(counts["mentions"], folder / "by_interviewee.csv")
    if "units" in counts.columns:                 # run folders written before units were counted have none
        counts["units"] = counted(counts["units"], folder / "by_interviewee.csv")
    roster["respondent_words"] = counted(roster["respondent_words"], folder / "roster.csv")
    return RunTables(path=folder, manifest=manifest, roster=roster, counts=counts, codebook=codebook)


MAX_COUNT = 10 ** 15            # more mentions or words than any archive holds: a damaged or forged table


def counted(column: pd.Series, path: Path) -> pd.Series:
    """A column of counts as integers; a RunFolderError naming the file and row for anything that is not a whole
    number from 0 to MAX_COUNT (a decimal, a negative, an overflow: never truncated or wrapped silently)."""
    for row, text in enumerate(column, start=2):
        value = text.strip()
        if not (value.isdigit() and value.isascii() and len(value) <= 16 and int(value) <= MAX_COUNT):
            raise RunFolderError(path, f"row {row}: {column.name} {text[:30]!r} is not a count (a whole number "
                                 "from 0)", line=row, hint="the CSV files of a run folder are qcode's; re-run "
                                                           "`qcode run`")
    return column.astype("int64")


def _read_table(path: Path, columns: list[str]) -> pd.DataFrame:
    if not path.is_file():
        raise RunFolderError(path, "missing from the run folder", hint="re-run `qcode run` to write it again")
    try:
        frame = read_csv_table(path)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise RunFolderError(path, f"cannot be read ({error})", hint="re-run `qcode run`") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise RunFolderError(path, f"has no column {', '.join(missing)}", hint="re-run `qcode run`")
    return frame
