"""A run folder → a REFI-QDA project (.qdpx) another tool opens (`qcode export-project`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.commands.report import Line, Report
from pipeline.errors import RunFolderError
from pipeline.refi.files import check_target, write_atomically
from pipeline.refi.positions import CODEPOINTS
from pipeline.refi.project_export import build_project, zip_project
from pipeline.refi.xml import PROJECT_NS, to_bytes
from pipeline.runfolder.load import load_run
from pipeline.runfolder.texts import read_assignments, read_run_texts


@dataclass
class ExportProjectOptions:
    run: Path
    out: Path | None = None
    positions: str = CODEPOINTS
    transcripts: Path | None = None
    force: bool = False


@dataclass
class ExportProjectReport(Report):
    out: Path
    sources: int
    selections: int
    cases: int
    users: list[str]
    coding: str
    astral_sources: int           # sources where code points and UTF-16 positions differ
    positions: str = CODEPOINTS

    def lines(self, quiet: bool = False) -> Iterator[Line]:
        if quiet:
            yield Line(f"project: {self.out}")
            return
        yield Line(f"{self.sources} source(s), {self.selections} coded selection(s) ({self.coding} coding), "
                   f"{self.cases} case(s), positions in {self.positions}")
        if self.astral_sources and self.positions == CODEPOINTS:
            yield Line(f"note: {self.out}: {self.astral_sources} source(s) hold characters beyond U+FFFF (emoji, "
                       "rare CJK): for NVivo export again with --positions utf16", err=True)
        yield Line(f"project: {self.out}")


def export_project(options: ExportProjectOptions) -> ExportProjectReport:
    tables = load_run(options.run)
    out = Path(options.out) if options.out else tables.path / "project.qdpx"
    check_target(out, options.force, "project")
    assignments = read_assignments(tables)
    unknown = sorted(set(assignments["code"]) - set(tables.codebook.ids))
    if unknown:
        raise RunFolderError(tables.path / "assignments.csv", f"codes {', '.join(unknown)} are not in the run's "
                             "codebook", hint="re-run `qcode run`")
    texts = read_run_texts(tables, options.transcripts, assignments)
    built = build_project(tables, texts, assignments, options.positions)
    qde = to_bytes(built.root, PROJECT_NS)
    write_atomically(out, zip_project(qde, built.source_texts, built.root.get("creationDateTime")))
    return ExportProjectReport(out=out, sources=len(built.source_texts), selections=built.selections,
                               cases=len(tables.roster), users=list(built.users), coding=tables.coding,
                               astral_sources=built.astral_sources, positions=options.positions)
