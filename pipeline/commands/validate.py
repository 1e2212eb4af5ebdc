"""A corrected validation sample → per code precision, recall, F1 (95% intervals) and kappa, in a folder with
validation.json, which later runs of the same codebook show on their Codebook sheet (`qcode validate`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from pipeline.commands.report import Line, Report, said
from pipeline.errors import Problem, note
from pipeline.review.validation import read_validation
from pipeline.review.validation_figures import (
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    KIND,
    MANIFEST,
    MIN_BOOTSTRAP_FILES,
    OVERALL,
    figures_line,
    figures_record,
    validation_figures,
)
from pipeline.versions import __version__
from pipeline.write.excel import write_frame
from pipeline.write.folder import OutputFolder, default_out_dir, manifest_header, sha256_file, write_csv

WORKBOOK = "validation.xlsx"
DEFAULT_BASE = Path("outputs")
_FORMATS = {c: "0.000" for c in ("precision", "precision_low", "precision_high", "recall", "recall_low",
                                 "recall_high", "f1", "f1_low", "f1_high", "kappa")}
DISAGREEMENT_COLUMNS = ["sample_id", "source_file", "line", "code", "qcode", "reviewer", "text", "comment"]


@dataclass
class ValidateOptions:
    workbook: Path
    out: Path | None = None             # default: a new outputs/validate-…
    force: bool = False


@dataclass
class ValidateReport(Report):
    out: Path
    figures: pd.DataFrame
    files: int
    units: int
    changed: int
    cells: int
    found_later: bool
    notes: list[Problem] = field(default_factory=list)

    def lines(self, quiet: bool = False) -> Iterator[Line]:
        yield from said(self.notes)
        yield Line(f"validated on {self.files} file(s), {self.units} unit(s); the reviewer changed {self.changed:,} "
                   f"of {self.cells:,} code cell(s)")
        if not quiet:
            width = max(len(c) for c in self.figures["code"])
            for row in self.figures.to_dict("records"):
                yield Line(f"  {row['code']:<{width}}  " + figures_line(row, self.files, self.units).split(": ", 1)[1])
        yield Line(f"figures: {self.out / WORKBOOK}")
        if self.found_later:
            yield Line("later `qcode run`s with this codebook show these figures on their Codebook sheet")
        else:
            yield Line(f"to show them on a later run's Codebook sheet: qcode run … --validation "
                       f"{self.out / MANIFEST}")


def validate_sample(options: ValidateOptions) -> ValidateReport:
    """Read the corrected sample (only read), compute the figures, write the validation folder."""
    sample = read_validation(options.workbook)
    out = options.out or default_out_dir("validate", DEFAULT_BASE)
    folder = OutputFolder(out, options.force, WORKBOOK, MANIFEST)
    figures = validation_figures(sample)
    record = sample.record
    files = sorted({u.source_file for u in sample.units})
    changed, cells = sample.changed_cells(), len(sample.units) * len(sample.code_ids)
    untouched = sample.untouched()
    notes = []
    if untouched:
        notes.append(note(str(options.workbook), "no code cell differs from qcode's coding and no comment was "
                          "written: was the sample reviewed?", hint="the figures count an unchanged sample as "
                                                                    "perfect agreement"))
    if len(files) < MIN_BOOTSTRAP_FILES:
        notes.append(note(str(options.workbook), f"{len(files)} file(s) sampled: F1 has no interval (its bootstrap "
                          f"over files needs {MIN_BOOTSTRAP_FILES} or more)",
                          hint="draw more files (qcode sample --files N) for an F1 interval"))
    disagreements = pd.DataFrame(
        [{"sample_id": u.sample_id, "source_file": u.source_file, "line": u.line, "code": c, "qcode": u.qcode[c],
          "reviewer": u.reviewer[c], "text": u.text, "comment": u.comment}
         for u in sample.units for c in sample.code_ids if u.qcode[c] != u.reviewer[c]],
        columns=DISAGREEMENT_COLUMNS)
    book = record["codebook"]
    codes = figures_record(figures)
    manifest = manifest_header(
        kind=KIND, codebook={"sha256": book.get("sha256"), "path": book.get("path"), "name": book.get("name"),
                             "version": book.get("version")},
        unit_kind=record.get("unit_kind"), seed=record.get("seed"), draw=record.get("draw"),
        sample={"workbook": str(Path(options.workbook).resolve()), "sha256": sha256_file(Path(options.workbook)),
                "run": record.get("run"), "run_coding": record.get("run_coding"),
                "drawn_by": record.get("qcode_version")},
        files=files, files_sampled=len(files), units=len(sample.units), changed_cells=changed,
        reviewed=not untouched,
        codes={c: v for c, v in codes.items() if c != OVERALL}, overall=codes[OVERALL],
        intervals={"precision, recall": "Wilson score, 95% (scipy.stats.binomtest(k, n).proportion_ci)",
                   "f1": f"percentile bootstrap over files, 95%, {BOOTSTRAP_RESAMPLES} resamples, seed "
                         f"{BOOTSTRAP_SEED}, at least {MIN_BOOTSTRAP_FILES} files",
                   "kappa": "sklearn.metrics.cohen_kappa_score, no interval"},
        versions={"qcode": __version__, "run": record.get("versions", {})},
        notes=[n.as_dict() for n in notes])
    about = [("validation workbook", str(Path(options.workbook).resolve())), ("run", str(record.get("run", ""))),
             ("codebook", str(book.get("path", ""))), ("codebook sha256", str(book.get("sha256", ""))),
             ("unit", str(record.get("unit_kind", ""))), ("seed", str(record.get("seed", ""))),
             ("files", "; ".join(files)), *((k, v) for k, v in manifest["intervals"].items()),
             *((n.kind, str(n).replace("\n  ", " ")) for n in notes)]
    with folder:
        write_csv(folder.path("validation.csv"), figures)
        write_csv(folder.path("disagreements.csv"), disagreements)
        workbook = Workbook(write_only=True)
        workbook.properties.creator = f"qcode {__version__}"
        write_frame(workbook, "Figures", figures, formats=_FORMATS, wrap={"kappa_note"})
        write_frame(workbook, "Disagreements", disagreements, wrap={"text", "comment"})
        write_frame(workbook, "About", pd.DataFrame(about, columns=["key", "value"]), wrap={"value"})
        workbook.save(folder.path(WORKBOOK))
        written = folder.seal(manifest)
    # an unchanged sample may never have been reviewed: later runs show it only when it is named
    found_later = written.resolve().parent == DEFAULT_BASE.resolve() and not untouched
    return ValidateReport(out=written, figures=figures, files=len(files), units=len(sample.units), changed=changed,
                          cells=cells, found_later=found_later, notes=notes)
