"""A codebook (.yaml or .xlsx) → a REFI-QDA codebook file (.qdc) (`qcode export-codebook`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.commands.report import Line, Report, said
from pipeline.errors import StrictModeError
from pipeline.models import Codebook
from pipeline.read.codebook import load_codebook
from pipeline.refi.codebook_export import codebook_qdc
from pipeline.refi.files import check_target, write_atomically
from pipeline.write.folder import default_out_file


@dataclass
class ExportCodebookOptions:
    codebook: Path
    out: Path | None = None             # default: outputs/CODEBOOK-NAME.qdc
    force: bool = False
    strict: bool = False                # a problem in the codebook stops the export before anything is written


@dataclass
class ExportCodebookReport(Report):
    out: Path
    codebook: Codebook

    def folders(self) -> int:
        """Folders of the exported tree: parents that are no code, and the codebook's groups."""
        book = self.codebook
        return len(({c.parent for c in book.codes + book.groups if c.parent} - set(book.ids))
                   | {g.id for g in book.groups})

    def lines(self, quiet: bool = False) -> Iterator[Line]:
        yield from said([n for n in self.codebook.notes if n.kind == "problem" or not quiet])
        yield Line(f"{len(self.codebook.codes)} code(s) in {self.folders()} folder(s) → {self.out}")


def export_codebook(options: ExportCodebookOptions) -> ExportCodebookReport:
    codebook = load_codebook(options.codebook)
    if options.strict and (problems := [n for n in codebook.notes if n.kind == "problem"]):
        raise StrictModeError(options.codebook, f"--strict: {len(problems)} problem(s) in the codebook; nothing "
                              "was written", hint="fix them, or export without --strict", problems=problems)
    out = Path(options.out) if options.out else default_out_file(Path(options.codebook).stem, ".qdc")
    check_target(out, options.force, "codebook")
    write_atomically(out, codebook_qdc(codebook))
    return ExportCodebookReport(out=out, codebook=codebook)
