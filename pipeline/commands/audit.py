"""A reviewed workbook → a reviewed run folder: decisions applied, tallies recomputed, agreement."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.coding.cache import cache_folder
from pipeline.coding.corpus import worker_count
from pipeline.commands.report import Line, Report, said, shown, workbook_line
from pipeline.errors import Problem, ReviewError, StrictModeError
from pipeline.models import RESPONDENT, Assignment
from pipeline.review.apply import apply_review, decisions_table
from pipeline.review.machine_agreement import code_agreement
from pipeline.review.reviewed_workbook import read_reviewed
from pipeline.review.reviewer_agreement import compare_reviewers
from pipeline.runfolder.publish import collecting, publish, units_of
from pipeline.runfolder.recode import recode_run
from pipeline.write.excel import MAX_ROWS
from pipeline.write.folder import WORKBOOK, OutputFolder, default_out_dir, sha256_file


@dataclass
class AuditOptions:
    reviewed: Path
    out: Path | None = None             # default: a new outputs/audit-…
    second: Path | None = None
    transcripts: Path | None = None     # where the transcripts are now, if they moved
    force: bool = False
    jobs: int | None = None             # default: every core
    cache: Path | None = None           # segmentation cache folder [default: the user's]
    no_cache: bool = False
    strict: bool = False                # a problem in the review stops the audit before anything is written
    cluster: str | None = None          # re-code on a Dask cluster: a scheduler address or file, or local[:N]


@dataclass
class AuditReport(Report):
    out: Path
    agreement: pd.DataFrame
    reviewed_rows: int
    reviewers: list[str]
    notes: list[Problem] = field(default_factory=list)
    between: pd.DataFrame | None = None         # with --second: agreement between the two reviewers

    def overall(self) -> dict:
        """The agreement table's overall row, its counts as integers."""
        overall = self.agreement.set_index("code").loc["overall"].to_dict()
        overall.update({k: int(overall[k]) for k in ("accepted", "rejected", "recoded", "added", "unreviewed",
                                                      "kappa_units", "files_fully_reviewed")})
        return overall

    def lines(self, quiet: bool = False) -> Iterator[Line]:
        yield from said([n for n in self.notes if n.kind == "problem" or not quiet])
        if quiet:
            yield workbook_line(self.out, WORKBOOK)
            return
        overall = self.overall()
        if not self.reviewed_rows:
            yield Line("nobody has reviewed this desk yet: no row has a decision, so the audit repeats the run "
                       "(fill `decision` on the Assignments sheet, save, audit again)")
        yield Line(f"{self.reviewed_rows} reviewed row(s) by {', '.join(self.reviewers) or 'an unnamed reviewer'}: "
                   f"{overall['accepted']} accepted, {overall['rejected']} rejected, {overall['recoded']} recoded, "
                   f"{overall['added']} added, {overall['unreviewed']} unreviewed")
        yield Line(f"precision {shown(overall['precision'])}, recall {shown(overall['recall'])}, "
                   f"kappa {shown(overall['kappa'])} over {overall['kappa_units']} unit×code cells of "
                   f"{overall['files_fully_reviewed']} fully reviewed file(s)")
        if self.between is not None:
            both = self.between.set_index("code").loc["overall"]
            yield Line(f"between the two reviewers: {int(both['rows'])} row(s) both decided, agreement "
                       f"{shown(both['percent_agreement'])}, kappa {shown(both['kappa'])}, alpha "
                       f"{shown(both['alpha'])} (Reviewer agreement sheet, disagreements listed)")
        yield workbook_line(self.out, WORKBOOK)


def run_audit(options: AuditOptions) -> AuditReport:
    """Read the reviewed workbook (only read), re-code, apply, and write a new reviewed run folder."""
    started = time.perf_counter()
    review = read_reviewed(options.reviewed)
    second = read_reviewed(options.second) if options.second else None
    if second is not None and second.manifest.get("files") != review.manifest.get("files"):
        raise ReviewError(options.second, "is the review of another run (its transcripts or checksums differ)",
                          hint="compare two reviews of the same run's workbook")
    folder = OutputFolder(options.out or default_out_dir("audit"), options.force)
    recoded = recode_run(review.manifest, review.path, options.transcripts, worker_count(options.jobs),
                         cache_folder(options.cache, options.no_cache), options.cluster)
    applied = apply_review(review, recoded)
    if options.strict and (problems := [n for n in applied.notes if n.kind == "problem"]):
        raise StrictModeError(options.reviewed, f"--strict: {len(problems)} problem(s) in the review; nothing "
                              "was written", hint="fix them, or audit without --strict", problems=problems)
    agreement = code_agreement(applied, recoded)
    extra = [("Agreement", "agreement.csv", agreement), ("Decisions", "decisions.csv", decisions_table(applied))]
    between = None
    if second is not None:
        between, disagreements = compare_reviewers(review, second, recoded)
        extra += [("Reviewer agreement", "reviewer_agreement.csv", between),
                  ("Disagreements", "disagreements.csv", disagreements)]
    manifest = dict(review.manifest)
    manifest["coding"] = "reviewed"
    manifest.pop("cluster", None)               # where the run was coded: this record says where it was re-coded
    if recoded.cluster is not None:
        manifest["cluster"] = recoded.cluster
    manifest["created"] = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    manifest["review"] = {"workbook": str(Path(options.reviewed).resolve()),
                          "sha256": sha256_file(Path(options.reviewed)), "reviewers": review.reviewers(),
                          "second": str(Path(options.second).resolve()) if options.second else None,
                          "reviewed_rows": sum(1 for r in review.rows if r.reviewed)}
    manifest["notes"] = list(manifest.get("notes", [])) + [n.as_dict() for n in applied.notes]
    with folder:
        collected = collecting(folder, recoded.codebook.ids, MAX_ROWS, recoded.roster)
        by_file: dict[str, list[Assignment]] = {}
        for a in applied.final:
            by_file.setdefault(a.source_file, []).append(a)
        for source_file, result in recoded.results.items():
            collected.add_file(result)
            collected.files[-1]["mentions"] = sum(1 for a in by_file.get(source_file, [])
                                                  if a.speaker_role == RESPONDENT)
            collected.add_assignments(by_file.get(source_file, []))
        collected.unit_codes = units_of(applied.final)
        collected.stream.close()
        manifest["files"] = collected.files
        _, out = publish(folder, collected, recoded.codebook, recoded.roster, manifest,
                         bool(manifest.get("options", {}).get("include_interviewer")), started, extra=extra)
    return AuditReport(out=out, agreement=agreement, reviewed_rows=manifest["review"]["reviewed_rows"],
                       reviewers=review.reviewers(), notes=applied.notes, between=between)

