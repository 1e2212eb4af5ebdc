"""A run folder (and optionally a reviewed workbook of it) → a quotes report a researcher pastes from
(`qcode report`): per code its definition, counts by group and capped quotes, as .docx or .md."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.coding.cache import cache_folder
from pipeline.coding.corpus import worker_count
from pipeline.commands.report import Line, Report, said
from pipeline.errors import OutputError, Problem, ReviewError
from pipeline.models import ASSIGNMENT_COLUMNS
from pipeline.review.apply import apply_review
from pipeline.review.reviewed_workbook import read_reviewed
from pipeline.runfolder.load import RunTables, load_run
from pipeline.runfolder.publish import roster_used, units_of
from pipeline.runfolder.quotes import FinalCoding, quotes_document, run_coding
from pipeline.runfolder.recode import recode_run
from pipeline.runfolder.tally import Mention, tally
from pipeline.write.docx_report import SUFFIXES, report_written_by_qcode, write_report
from pipeline.write.folder import check_file_target

PER_CODE = 5


@dataclass
class QuotesReportOptions:
    run: Path
    out: Path | None = None             # default: RUN/quotes.docx (quotes-reviewed.docx with --reviewed)
    per_code: int = PER_CODE
    reviewed: Path | None = None        # a reviewed desk of the run: its decisions honoured
    transcripts: Path | None = None     # with --reviewed: where the run's transcripts are now, if they moved
    force: bool = False
    jobs: int | None = None
    cache: Path | None = None
    no_cache: bool = False


@dataclass
class QuotesReport(Report):
    out: Path
    codes: int
    quotes: int
    per_code: int
    coding: str
    notes: list[Problem]

    def lines(self, quiet: bool = False) -> Iterator[Line]:
        yield from said(self.notes)
        yield Line(f"{self.quotes} quote(s) for {self.codes} code(s), at most {self.per_code} per code "
                   f"({self.coding} coding)")
        yield Line(f"report: {self.out}")


def write_quotes_report(options: QuotesReportOptions) -> QuotesReport:
    tables = load_run(options.run)
    out = Path(options.out) if options.out else \
        tables.path / ("quotes-reviewed.docx" if options.reviewed else "quotes.docx")
    if out.suffix.lower() not in SUFFIXES:
        raise OutputError(out, "a quotes report is a .docx (Word, LibreOffice) or .md (Markdown) file",
                          hint="give -o a name ending in .docx or .md")
    check_file_target(out, options.force, "quotes report", report_written_by_qcode,
                      not_ours="is not a report qcode wrote, or was saved since",
                      replaceable="a report qcode wrote and nobody saved since")
    notes: list[Problem] = []
    coding = reviewed_coding(tables, options, notes) if options.reviewed else run_coding(tables)
    document = quotes_document(coding, options.per_code)
    write_report(out, document)
    return QuotesReport(out=out, codes=len(document.sections), quotes=sum(len(s.quotes) for s in document.sections),
                        per_code=options.per_code, coding=coding.manifest.get("coding", "machine"), notes=notes)


def _files(manifest: dict) -> set[tuple[str, str]]:
    return {(str(f.get("source_file")), str(f.get("sha256"))) for f in manifest.get("files", [])
            if isinstance(f, dict)}


def reviewed_coding(tables: RunTables, options: QuotesReportOptions, notes: list[Problem]) -> FinalCoding:
    """The run coded again and the reviewed workbook's decisions applied, as `qcode audit` applies them: rejected
    assignments go, recoded ones move, added passages come in."""
    review = read_reviewed(options.reviewed)
    if _files(review.manifest) != _files(tables.manifest) or \
            review.manifest.get("codebook", {}).get("yaml") != tables.manifest.get("codebook", {}).get("yaml"):
        raise ReviewError(options.reviewed, f"is the review of another run (its transcripts, checksums or codebook "
                          f"differ from {tables.path}'s)", hint="give the run folder the workbook was written in")
    recoded = recode_run(review.manifest, review.path, options.transcripts, worker_count(options.jobs),
                         cache_folder(options.cache, options.no_cache))
    applied = apply_review(review, recoded)
    notes.extend(applied.notes)
    words = {result.interviewee_id: result.respondent_words for result in recoded.results.values()}
    tallies = tally([Mention(a.interviewee_id, a.code, a.term, a.speaker_role) for a in applied.final],
                    recoded.roster, recoded.codebook, words, units_of(applied.final))
    manifest = dict(review.manifest, coding="reviewed",
                    review={"workbook": str(Path(options.reviewed).resolve()), "reviewers": review.reviewers()})
    return FinalCoding(
        manifest=manifest, codebook=recoded.codebook,
        assignments=pd.DataFrame([a.row() for a in applied.final], columns=ASSIGNMENT_COLUMNS),
        roster=roster_used(recoded.roster, words).astype({"interviewee_id": str}),
        by_group=tallies.by_group, counts=tallies.by_interviewee,
        source=f"{tables.path} with the decisions of {Path(options.reviewed).name} (reviewed coding)")
