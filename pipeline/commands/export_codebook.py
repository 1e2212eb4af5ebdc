"""A codebook (.yaml or .xlsx) → a REFI-QDA codebook file (.qdc) (`qcode export-codebook`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.commands.report import Line, Report, said
from pipeline.models import Codebook
from pipeline.read.codebook import load_codebook
from pipeline.refi.codebook_export import codebook_qdc
from pipeline.refi.files import check_target, write_atomically


@dataclass
class ExportCodebookOptions:
    codebook: Path
    out: Path | None = None             # default: beside the codebook, with .qdc
    force: bool = False


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
        yield from said(self.codebook.notes)
        yield Line(f"{len(self.codebook.codes)} code(s) in {self.folders()} folder(s) → {self.out}")


def export_codebook(options: ExportCodebookOptions) -> ExportCodebookReport:
    codebook = load_codebook(options.codebook)
    out = Path(options.out) if options.out else Path(options.codebook).with_suffix(".qdc")
    check_target(out, options.force, "codebook")
    write_atomically(out, codebook_qdc(codebook))
    return ExportCodebookReport(out=out, codebook=codebook)
