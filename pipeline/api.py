"""The Python API: code a corpus into pandas DataFrames without writing anything; read a run folder back.

    import pipeline as qcode
    coded = qcode.code_corpus("transcripts")          # the sample, with the default codebook
    coded.assignments                                 # one row per mention, as assignments.csv
    coded.tallies.by_group                            # the tables of the run workbook
    one = qcode.code_transcript("transcripts/p12_taiwan_consultant.md", language="zh-Hant-TW")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.coding.code_file import FileJob, Settings, code_file
from pipeline.coding.corpus import CodingOptions, code_files, coding_settings, load_inputs, worker_count
from pipeline.coding.match import Matcher
from pipeline.defaults import default_codebook
from pipeline.errors import Problem
from pipeline.models import ASSIGNMENT_COLUMNS, Assignment, Codebook, FileResult
from pipeline.read.codebook import load_codebook
from pipeline.runfolder.publish import Collected, roster_used
from pipeline.runfolder.tally import Tallies, tally


class _KeptInMemory:
    """Where `qcode run` streams assignments to the desk, the API keeps them in a list."""

    def __init__(self):
        self.assignments: list[Assignment] = []

    def add(self, assignments: list[Assignment]) -> None:
        self.assignments.extend(assignments)

    def close(self) -> None:
        pass


@dataclass
class CodedCorpus:
    """A corpus coded in memory: the assignments and the tallies of a run folder, as DataFrames."""

    assignments: pd.DataFrame          # the columns of assignments.csv
    tallies: Tallies                   # by_interviewee, wide, presence, by_group, by_country, by_term, …
    roster: pd.DataFrame               # the roster as used, with respondent_words
    codebook: Codebook
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)     # per file: language, profile, words, mentions, …


def code_corpus(transcripts: str | Path, codebook: str | Path | None = None, roster: str | Path | None = None, *,
                unit: str = "sentence", language: str = "", include_interviewer: bool = False,
                user_dict: str | Path | None = None, jobs: int | None = 1, cache: str | Path | None = None,
                segmenter: str = "auto") -> CodedCorpus:
    """Code every transcript of a folder as `qcode run` does, and return what it found; nothing is written.

    `codebook` defaults to the shipped data_justice.yaml; `roster` to roster.csv/.xlsx in the folder;
    `jobs=None` uses every core; `cache` is a segmentation cache folder (none by default).
    A bad input raises a PipelineError; problems with single files are listed in `problems`.
    """
    options = CodingOptions(transcripts=Path(transcripts), codebook=Path(codebook or default_codebook()),
                            roster=Path(roster) if roster else None, unit=unit, language=language,
                            include_interviewer=include_interviewer, user_dict=Path(user_dict) if user_dict else None,
                            jobs=worker_count(jobs), cache=Path(cache) if cache else None, segmenter=segmenter)
    book, people, jobs_, issues = load_inputs(options)
    settings = coding_settings(options, keep_units=False)
    kept = _KeptInMemory()
    collected = Collected(kept, issues=issues)
    for result in code_files(jobs_, settings, Matcher(book), book, workers=options.jobs):
        if isinstance(result, Problem):
            collected.issues.append(result)
            continue
        collected.add_file(result)
        collected.add_assignments(result.assignments)
        collected.unit_codes.extend((result.source_file, u, c) for u, c in result.unit_codes)
    tallies = tally(collected.mentions, people, book, collected.words, collected.unit_codes, include_interviewer)
    return CodedCorpus(assignments=pd.DataFrame([a.row() for a in kept.assignments], columns=ASSIGNMENT_COLUMNS),
                       tallies=tallies, roster=roster_used(people, collected.words), codebook=book,
                       problems=[i for i in collected.issues if i.kind == "problem"],
                       notes=[i for i in collected.issues if i.kind == "note"], files=collected.files)


def code_transcript(path: str | Path, codebook: str | Path | None = None, *, language: str = "", region: str = "",
                    speaker_labels: tuple[str, ...] = (), unit: str = "sentence",
                    include_interviewer: bool = False, keep_units: bool = False) -> FileResult:
    """Code one transcript file through the real stages (read, normalize, segment, match); nothing is written.

    The FileResult holds the decoded text, its encoding, language and OpenCC profile, turns, word
    counts and the Assignment objects; `speaker_labels` names the respondent's own labels; `keep_units` also
    keeps the text and every coding unit's span, speaker and role (`unit_spans`), as audits need.
    """
    path = Path(path)
    job = FileJob(path=str(path), source_file=path.name, interviewee_id=path.stem, stakeholder_groups="",
                  language=language, region=region, respondent_labels=tuple(speaker_labels))
    book = load_codebook(Path(codebook or default_codebook()))
    return code_file(job, Settings(unit=unit, include_interviewer=include_interviewer, keep_units=keep_units),
                     Matcher(book))
