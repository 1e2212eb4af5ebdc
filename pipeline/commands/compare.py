"""Run folders → a compare folder: compare.xlsx (table, chart, runs, notes), compare.csv, compare.png, compare.json."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.commands.report import Line, Report, said, workbook_line
from pipeline.compare.table import compare_table as build_table
from pipeline.compare.table import group_interviewees, overlap_note, parse_labels, run_names, shared_codes
from pipeline.compare.workbook import wide_rates, write_png, write_workbook
from pipeline.errors import CompareError, Problem, note
from pipeline.runfolder.load import load_run
from pipeline.write.folder import OutputFolder, default_out_dir, manifest_header, write_csv

WORKBOOK = "compare.xlsx"
MANIFEST = "compare.json"
SIGNIFICANT = 0.05              # the BH-adjusted G² p-value below which the summary says rates differ


@dataclass
class CompareOptions:
    runs: list[Path]
    out: Path | None = None                              # default: a new outputs/compare-…
    by: str | None = None
    labels: list[str] = field(default_factory=list)     # "RUN=NAME"
    groups: list[str] | None = None
    force: bool = False


@dataclass
class CompareReport(Report):
    out: Path
    by: str
    groups: list[str]
    codes: list[str]
    tested: bool
    table: pd.DataFrame
    notes: list[Problem]

    def differing(self) -> list[tuple[str, float]]:
        """(code, BH-adjusted G² p) for the codes whose rates differ between the groups."""
        per_code = self.table.drop_duplicates("code").set_index("code")
        return [(code, row.g2_p_adj) for code, row in per_code.iterrows()
                if row.g2_p_adj < SIGNIFICANT]          # NaN (nothing to test) compares False

    def lines(self, quiet: bool = False) -> Iterator[Line]:
        if quiet:
            yield workbook_line(self.out, WORKBOOK)
            return
        yield from said(self.notes, "note")
        yield Line(f"compared {len(self.groups)} groups by {self.by} ({', '.join(self.groups)}) on "
                   f"{len(self.codes)} code(s)" + ("" if self.tested else "; groups overlap: described, not tested"))
        if self.tested:
            differ = [f"{code} (G² p_adj {p:.3g})" for code, p in self.differing()]
            yield Line(f"rates differ (BH-adjusted G² p < {SIGNIFICANT}): " + (", ".join(differ) or "no code"))
        yield workbook_line(self.out, WORKBOOK)


def run_comparison(options: CompareOptions) -> CompareReport:
    if not options.runs:
        raise CompareError("qcode compare", "no run folder given", hint="qcode compare RUN_DIR [RUN_DIR …]")
    folder = OutputFolder(options.out or default_out_dir("compare"), options.force, WORKBOOK, MANIFEST)
    runs = [load_run(path) for path in options.runs]
    names = run_names(runs)
    by = options.by or ("country" if len(runs) > 1 else "stakeholder_group")
    labels = parse_labels(options.labels, names, [r.path for r in runs])
    groups = group_interviewees(runs, by, labels, options.groups)
    codes = shared_codes(runs)
    if not codes.ids:
        raise CompareError(", ".join(names), "the runs' codebooks share no code id: nothing to compare",
                           hint="compare runs coded with the same codebook (or one derived from it)")
    table = build_table(groups, codes)
    notes = groups.notes + codes.notes
    if (overlap := overlap_note(groups)) is not None:
        notes.append(overlap)
    before_units = [name for run, name in zip(runs, names, strict=True) if "units" not in run.counts.columns]
    if before_units:
        notes.append(note("runs", f"{', '.join(before_units)} were coded before coding units were counted: their "
                          "groups' units columns are blank", hint="run `qcode run` again on them to count units"))
    codings = {r.coding for r in runs}
    if len(codings) > 1:
        notes.append(note("runs", "some runs are reviewed and some are machine coding only",
                          hint="audit every run (`qcode audit`) before comparing, or read the Runs sheet"))
    runs_frame = pd.DataFrame([{
        "run": name, "folder": str(run.path.resolve()), "label": labels.get(name, ""), "coding": run.coding,
        "codebook": run.codebook.name, "codebook_version": run.codebook.version,
        "interviewees": len(run.roster), "respondent_words": int(run.roster["respondent_words"].sum()),
        "created": run.manifest.get("created", "")} for run, name in zip(runs, names, strict=True)])
    with folder:
        write_csv(folder.path("compare.csv"), table)
        wide = wide_rates(table, groups.names, codes.ids)
        fonts_ok = write_png(folder.path("compare.png"), table, wide, groups, codes)
        if not fonts_ok:
            notes.append(note("compare.png", "no Chinese font is installed, so Chinese labels show as boxes "
                                             "in the PNG", hint="the Excel chart shows them; or install "
                                                                "fonts-noto-cjk and run compare again"))
        write_workbook(folder.path(WORKBOOK), table, wide, groups, codes, runs_frame, notes)
        manifest = manifest_header(by=by, groups=groups.names, tested=not groups.overlapping, codes=codes.ids,
                                   runs=runs_frame.to_dict(orient="records"), notes=[n.as_dict() for n in notes])
        out = folder.seal(manifest)
    return CompareReport(out=out, by=by, groups=groups.names, codes=codes.ids, tested=not groups.overlapping,
                         table=table, notes=notes)


