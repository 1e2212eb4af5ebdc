"""The transcripts a run folder coded, read again: found (where they moved), unchanged, same spans."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.errors import Problem, RunFolderError, RunInputsError, TranscriptError
from pipeline.read.transcripts import MAX_TRANSCRIPT_BYTES, file_checksum, read_bytes, read_transcript
from pipeline.runfolder.load import RunTables, counted, leads_out
from pipeline.write.folder import read_csv_table


def read_assignments(tables: RunTables) -> pd.DataFrame:
    """assignments.csv of the run: the final coding (the reviewed one where the run was audited)."""
    path = tables.path / "assignments.csv"
    try:
        frame = read_csv_table(path)
        for column in ("char_start", "char_end", "line"):
            frame[column] = counted(frame[column], path)
    except FileNotFoundError:
        raise RunFolderError(path, "missing from the run folder", hint="re-run `qcode run`") from None
    except (OSError, UnicodeDecodeError, ValueError, KeyError) as error:
        raise RunFolderError(path, f"cannot be read ({error})", hint="re-run `qcode run`") from None
    backwards = frame.index[frame["char_end"] < frame["char_start"]]
    if len(backwards):
        row = int(backwards[0]) + 2
        raise RunFolderError(path, f"row {row}: char_end is before char_start", line=row,
                             hint="the CSV files of a run folder are qcode's; re-run `qcode run`")
    return frame


RECORD_FILE_CEILING = 1_000_000_000   # a record may raise the size limit (the run's --max-file-mb), never past this


def run_file_limit(manifest: dict) -> int:
    """The largest transcript the run would code (its --max-file-mb), in bytes; a record from elsewhere cannot
    lift it past RECORD_FILE_CEILING."""
    mb = manifest.get("options", {}).get("max_file_mb")
    return min(int(float(mb) * 1e6), RECORD_FILE_CEILING) if mb is not None else MAX_TRANSCRIPT_BYTES


def inside(root: Path, source_file: str) -> Path | None:
    """The path of a run's transcript under `root`, or None where the record's name leads out of it (an absolute
    path, `..`, a link out): then it is never read, not even looked at."""
    if leads_out(source_file):
        return None
    path = root / source_file
    try:
        resolved, top = path.resolve(), root.resolve()
    except (OSError, RuntimeError):
        return None
    return path if resolved.is_relative_to(top) else None


def verified_bytes(entry: dict, root: Path, limit: int) -> bytes | Problem:
    """The bytes of a file the run coded (an entry of run.json's `files`), read from `root` once;
    a Problem if it is gone or changed since the run (its SHA-256 differs from the run's record)."""
    source_file = entry["source_file"]
    path = inside(root, source_file)
    if path is None:
        return Problem(source_file, "the run's record names a transcript outside its transcripts folder; not read",
                       hint="use the run folder or workbook qcode wrote; do not edit its run record")
    if not path.is_file():
        return Problem(source_file, f"the transcript is not in {root} any more",
                       hint="give the folder the transcripts moved to with --transcripts")
    try:
        data = read_bytes(path, source_file, limit)
    except TranscriptError as error:
        return error.as_problem()
    if file_checksum(data) != entry.get("sha256"):
        return Problem(source_file, "the transcript changed since the run (its checksum differs from the run's "
                       "record)", hint="restore the file the run coded, or code it again (`qcode run --reviewed` "
                                       "carries a review over)")
    return data


def read_run_texts(tables: RunTables, transcripts: Path | None, assignments: pd.DataFrame) -> dict[str, str]:
    """source_file → decoded text of every coded file; refuse changed files and spans that moved."""
    root = Path(transcripts) if transcripts else Path(tables.manifest.get("inputs", {}).get("transcripts", ""))
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    limit = run_file_limit(tables.manifest)
    for entry in tables.manifest.get("files", []):
        source_file = entry["source_file"]
        data = verified_bytes(entry, root, limit)
        if isinstance(data, Problem):
            problems.append(data)
            continue
        try:
            transcript = read_transcript(root / source_file, source_file, language=entry.get("language", ""),
                                         data=data)
        except TranscriptError as error:
            problems.append(error.as_problem())
            continue
        texts[source_file] = transcript.text
    for row in assignments.itertuples():
        text = texts.get(row.source_file)
        if text is not None and text[row.char_start:row.char_end] != row.matched_text:
            problems.append(Problem(row.source_file, f"assignment {row.assignment_id}: the text at "
                                    f"{row.char_start}–{row.char_end} is {text[row.char_start:row.char_end]!r}, "
                                    f"not {row.matched_text!r}", line=row.line,
                                    hint="assignments.csv no longer fits the transcript; re-run `qcode run`"))
    if problems:
        raise RunInputsError(tables.path, f"{len(problems)} transcript(s) or span(s) of the run cannot be used; "
                             "nothing written", hint="see the problems above", problems=problems)
    return texts
