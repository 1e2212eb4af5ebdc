"""Coded files → the run folder's tables, workbook, CSV sidecars and manifest (shared by run and audit)."""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.coding.speakers import SPEAKER_COLUMNS
from pipeline.models import ASSIGNMENT_COLUMNS, Assignment, Codebook, FileResult, Roster
from pipeline.read.codebook import codebook_yaml
from pipeline.runfolder.stats_export import write_stats_files
from pipeline.runfolder.tally import Mention, Tallies, tally
from pipeline.runfolder.workbook import Desk, write_workbook
from pipeline.write.excel import numeric_ids
from pipeline.write.folder import WORKBOOK, OutputFolder, to_csv_cell, write_csv
from pipeline.write.numbered import TranscriptsSheet


class AssignmentStream:
    """Assignments streamed, as files are coded, to assignments.csv and to the workbook's desk."""

    def __init__(self, folder: OutputFolder, desk):
        self.csv_path = folder.path("assignments.csv")
        self._csv_handle = open(self.csv_path, "w", encoding="utf-8-sig", newline="")
        self._csv = csv.writer(self._csv_handle, lineterminator="\n")
        self._csv.writerow([to_csv_cell(c) for c in ASSIGNMENT_COLUMNS])
        self.desk = desk                      # workbook.Desk: add(assignments), discard()
        self.count = 0
        folder.on_discard(self.discard)

    def add(self, assignments: list[Assignment]) -> None:
        if not assignments:
            return
        for a in assignments:
            self._csv.writerow([to_csv_cell(v) for v in a.row()])     # text never a formula
        self.desk.add(assignments)
        self.count += len(assignments)

    def close(self) -> None:
        self._csv_handle.close()

    def discard(self) -> None:
        self._csv_handle.close()
        self.desk.discard()


@dataclass
class Collected:
    """What the tallies need from every coded file, gathered as files finish."""

    stream: AssignmentStream
    mentions: list[Mention] = field(default_factory=list)
    words: dict[str, int] = field(default_factory=dict)
    unit_codes: list = field(default_factory=list)
    files: list[dict] = field(default_factory=list)
    issues: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    cached: int = 0                   # files whose segmentation came from the cache
    speakers: list[dict] = field(default_factory=list)    # per file and label: role, how decided, turns, words
    transcripts: TranscriptsSheet | None = None          # each coded file's lines, numbered (beside the desk)

    def add_file(self, result: FileResult) -> None:
        self.words[result.interviewee_id] = result.respondent_words
        self.speakers.extend(result.speakers)
        self.cached += result.cached
        self.issues.extend(result.problems)
        self.files.append(file_entry(result))
        if self.transcripts is not None:
            self.transcripts.add(result.source_file, result.text, result.pages)
        for stage, seconds in result.timings.items():
            self.timings[stage] = self.timings.get(stage, 0.0) + seconds

    def add_assignments(self, assignments: list[Assignment]) -> None:
        clock = time.perf_counter()
        self.stream.add(assignments)
        self.timings["desk"] = self.timings.get("desk", 0.0) + time.perf_counter() - clock
        self.mentions.extend(Mention(a.interviewee_id, a.code, a.term, a.speaker_role) for a in assignments)


def collecting(folder: OutputFolder, code_ids: list[str], max_rows: int, roster: Roster | None = None,
               **fields) -> Collected:
    """A Collected whose assignments stream to assignments.csv and the workbook's desk as they arrive; the desk
    writes interviewee ids as numbers where every id of `roster` is a plain whole number, as the other sheets do."""
    desk = Desk(code_ids, max_rows, numbers=roster is not None and numeric_ids(p.id for p in roster.interviewees))
    return Collected(AssignmentStream(folder, desk), transcripts=TranscriptsSheet(desk.workbook, max_rows), **fields)


def units_of(assignments: list[Assignment]) -> list[tuple[str, int, tuple[str, ...]]]:
    """(file, unit, codes) for every coding unit holding a respondent mention."""
    units: dict[tuple[str, int], set[str]] = {}
    for a in assignments:
        if a.speaker_role == "respondent":
            units.setdefault((a.source_file, a.unit), set()).add(a.code)
    return [(f, u, tuple(sorted(c))) for (f, u), c in sorted(units.items())]


def file_entry(result: FileResult) -> dict:
    return {"source_file": result.source_file, "interviewee_id": result.interviewee_id,
            "sha256": result.checksum, "language": result.language, "opencc_profile": result.profile,
            "encoding": result.encoding, "turns": result.turns, "respondent_turns": result.respondent_turns,
            "respondent_words": result.respondent_words, "units": result.units,
            "mentions": sum(1 for a in result.assignments if a.speaker_role == "respondent")}


def roster_used(roster: Roster, words: dict[str, int]) -> pd.DataFrame:
    """The roster rows that were coded, as read, with respondent_words."""
    rows = []
    for person in roster.interviewees:
        if person.id in words:
            row = {"interviewee_id": person.id, "file": person.file,
                   "stakeholder_groups": "; ".join(person.groups)}
            row.update({c: person.attributes.get(c, "") for c in roster.attribute_columns})
            row["speaker_labels"] = "; ".join(person.speaker_labels)
            row["respondent_words"] = words[person.id]
            rows.append(row)
    return pd.DataFrame(rows, columns=["interviewee_id", "file", "stakeholder_groups", *roster.attribute_columns,
                                       "speaker_labels", "respondent_words"])


def publish(folder: OutputFolder, collected: Collected, codebook: Codebook, roster: Roster, manifest: dict,
            include_interviewer: bool, started: float,
            extra: list[tuple[str, str, pd.DataFrame]] = (),
            suggested: pd.DataFrame | None = None) -> tuple[Tallies, Path]:
    """Write every output into `folder` and seal it; `extra` = (sheet, csv name, table); `suggested` = the
    second opinion's Suggested sheet (no CSV, no tally). The tallies and the run folder's path."""
    clock = time.perf_counter()
    tallies = tally(collected.mentions, roster, codebook, collected.words, collected.unit_codes,
                    include_interviewer)
    timings = collected.timings
    timings["tally"] = time.perf_counter() - clock
    clock = time.perf_counter()
    tables = {name: frame for name, frame in (
        ("by_interviewee.csv", tallies.by_interviewee), ("by_group.csv", tallies.by_group),
        ("by_term.csv", tallies.by_term), ("by_country.csv", tallies.by_country),
        ("interviewer.csv", tallies.interviewer)) if frame is not None}
    tables.update({name: frame for _, name, frame in extra})
    tables["roster.csv"] = roster_used(roster, collected.words)
    speakers = pd.DataFrame(collected.speakers, columns=SPEAKER_COLUMNS)
    tables["speakers.csv"] = speakers
    for name, frame in tables.items():
        write_csv(folder.path(name), frame)
    folder.path("codebook.yaml").write_text(codebook_yaml(codebook), encoding="utf-8")
    write_stats_files(folder, tables, roster, codebook)      # .sav, .dta, and a .parquet beside every CSV
    sheets = write_workbook(folder.path(WORKBOOK), tallies, collected.stream.desk, manifest,
                            extra=[(title, frame) for title, _, frame in extra], speakers=speakers,
                            suggested=suggested, timings=timings, transcripts=collected.transcripts)
    timings["write"] = time.perf_counter() - clock
    manifest["sheets"] = [{"sheet": s, "rows": n} for s, n in sheets]
    manifest["timings"] = {k: round(v, 4) for k, v in timings.items()}
    manifest["timings"]["total"] = round(time.perf_counter() - started, 4)
    return tallies, folder.seal(manifest)
