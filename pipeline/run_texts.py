"""The transcripts a run folder coded, read again: found (where they moved), unchanged, same spans."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import Problem, RunFolderError, RunInputsError, TranscriptError
from .ingest import read_bytes, read_transcript
from .outputs import sha256_file
from .runs import RunTables


def read_assignments(tables: RunTables) -> pd.DataFrame:
    """assignments.csv of the run: the final coding (the reviewed one where the run was audited)."""
    path = tables.path / "assignments.csv"
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        frame["char_start"] = frame["char_start"].astype(int)
        frame["char_end"] = frame["char_end"].astype(int)
        frame["line"] = frame["line"].astype(int)
    except FileNotFoundError:
        raise RunFolderError(path, "missing from the run folder", hint="re-run `qcode run`") from None
    except (OSError, UnicodeDecodeError, ValueError, KeyError) as error:
        raise RunFolderError(path, f"cannot be read ({error})", hint="re-run `qcode run`") from None
    return frame


def read_run_texts(tables: RunTables, transcripts: Path | None, assignments: pd.DataFrame) -> dict[str, str]:
    """source_file → decoded text of every coded file; refuse changed files and spans that moved."""
    old_root = tables.manifest.get("inputs", {}).get("transcripts", "")
    root = Path(transcripts) if transcripts else Path(old_root)
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    limit = int(float(tables.manifest.get("options", {}).get("max_file_mb", 16)) * 1e6)
    for entry in tables.manifest.get("files", []):
        source_file = entry["source_file"]
        path = root / source_file
        if not path.is_file():
            problems.append(Problem(source_file, f"the transcript is not in {root} any more",
                                    hint="give the folder the transcripts moved to with --transcripts"))
            continue
        if sha256_file(path) != entry.get("sha256"):
            problems.append(Problem(source_file, "the transcript changed since the run (its checksum differs from "
                                    "run.json's)", hint="restore the file the run coded, or code it again"))
            continue
        try:
            data = read_bytes(path, source_file, limit)
            transcript = read_transcript(path, source_file, language=entry.get("language", ""), data=data)
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
