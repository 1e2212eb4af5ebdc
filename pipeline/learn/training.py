"""Reviewed workbooks → labelled coding units per code: what reviewers accepted, added, recoded into a code
(positive), and what they rejected or left uncoded in files they reviewed whole (negative). A corrected validation
sample (`qcode sample`) labels every unit it holds, for every code: the reviewer's 1 or 0 (an empty cell is 0)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import Problem, ReviewError, note
from pipeline.learn.evidence import is_validation_sample, read_validated_review
from pipeline.learn.features import Unit, respondent_units
from pipeline.models import RESPONDENT
from pipeline.review.apply import apply_review, locate_added
from pipeline.review.machine_agreement import fully_reviewed_files
from pipeline.review.reviewed_workbook import read_reviewed
from pipeline.runfolder.recode import recode_run
from pipeline.write.folder import sha256_file


@dataclass
class Example:
    """One unit and what the reviewers' verdicts say of it, per code (1 = the code applies, 0 = it does not;
    a code not listed is unknown for this unit)."""

    unit: Unit
    group: str                 # the file's sha256: a file's units are never split between training and testing
    labels: dict[str, int]


@dataclass
class TrainingSet:
    examples: list[Example] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)        # per workbook: path, sha256, files, units
    reviewed_files: set[str] = field(default_factory=set)    # sha256 of the fully reviewed files
    notes: list[Problem] = field(default_factory=list)


def read_training(paths: list[Path], jobs: int, cache: Path | None = None) -> TrainingSet:
    """Every reviewed workbook read, its run coded again from its own transcripts, its verdicts made labels."""
    training = TrainingSet()
    for path in paths:
        if is_validation_sample(path):
            _read_sample(training, Path(path), jobs, cache)
            continue
        review = read_reviewed(path)
        try:
            recoded = recode_run(review.manifest, review.path, None, jobs, cache)
        except ReviewError as error:
            raise ReviewError(path, f"the training workbook's run cannot be coded again: {error.problem}",
                              hint="the second opinion reads the transcripts the reviewed run coded: keep them "
                                   "where that run found them, unchanged", problems=error.problems) from None
        applied = apply_review(review, recoded)
        fully = set(fully_reviewed_files(applied, recoded))
        positive = {(a.source_file, a.unit, a.code) for a in applied.final
                    if a.speaker_role == RESPONDENT and (a.decision in ("accept", "add") or a.recode_to)}
        negative, unknown = set(), set()
        for a in applied.machine:
            row = applied.rows.get(a.assignment_id)
            key = (a.source_file, a.unit, a.code)
            if row is None or not row.reviewed:
                unknown.add(key)
            elif row.recode_to or row.decision == "reject":
                negative.add(key)                # recoded away or rejected: not this code here
        declined = 0
        for row in review.declined:              # suggestions a reviewer rejected
            located = locate_added(row, recoded, review.path)
            if isinstance(located, Problem):
                declined += 1
            else:
                negative.add((located.source_file, located.unit, row.code))
        codes = recoded.codebook.ids
        judged: dict[str, set[int]] = {}
        for source_file, unit, _ in positive | negative:
            judged.setdefault(source_file, set()).add(unit)
        units = 0
        for source_file, result in recoded.results.items():
            whole = source_file in fully
            if whole:
                training.reviewed_files.add(result.checksum)
            for unit in respondent_units(result, None if whole else judged.get(source_file, set())):
                labels = {}
                for code in codes:
                    key = (source_file, unit.index, code)
                    if key in positive:
                        labels[code] = 1
                    elif key in negative or (whole and key not in unknown):
                        labels[code] = 0
                if labels:
                    training.examples.append(Example(unit, result.checksum, labels))
                    units += 1
        training.sources.append({"workbook": str(Path(path).resolve()), "sha256": sha256_file(Path(path)),
                                 "files": len(recoded.results), "fully_reviewed_files": len(fully),
                                 "units": units})
        if not fully:
            training.notes.append(note(str(path), "no file of this workbook is fully reviewed (every row decided): "
                                       "only its accepted, added, recoded and rejected passages teach the second "
                                       "opinion", hint="decide every row of a file so that its uncoded units "
                                                       "count as negative examples"))
        if declined:
            training.notes.append(note(str(path), f"{declined} rejected suggestion(s) are no longer found in "
                                       "their transcript and teach nothing"))
    return training


def _read_sample(training: TrainingSet, path: Path, jobs: int, cache: Path | None) -> None:
    """A validation sample's units, each labelled for every code as the reviewer left it."""
    sample, _, recoded, _ = read_validated_review(path, None, jobs, cache)     # its errors name sheet and row
    labels: dict[str, dict[int, dict[str, int]]] = {}
    for unit in sample.units:
        labels.setdefault(unit.source_file, {})[unit.unit] = dict(unit.reviewer)
    units = whole = 0
    for source_file, judged in labels.items():
        result = recoded.results[source_file]
        every = respondent_units(result)
        if {u.index for u in every} <= judged.keys():     # the file read whole: its units are judged already
            training.reviewed_files.add(result.checksum)
            whole += 1
        for unit in every:
            if unit.index in judged:
                training.examples.append(Example(unit, result.checksum, judged[unit.index]))
                units += 1
    training.sources.append({"workbook": str(path.resolve()), "sha256": sha256_file(path), "kind": "validation sample",
                             "files": len(labels), "fully_reviewed_files": whole, "units": units})
