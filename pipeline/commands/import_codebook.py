"""A REFI-QDA codebook or project (.qdc, .qdpx, .qde) → a qcode codebook YAML (`qcode import-codebook`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline.commands.report import Line, Report, one_line, said
from pipeline.errors import note
from pipeline.models import Codebook
from pipeline.read.codebook import codebook_from_yaml
from pipeline.refi.codebook_import import codebook_entries
from pipeline.refi.files import check_target, write_atomically
from pipeline.refi.read import read_exchange
from pipeline.write.folder import default_out_file


@dataclass
class ImportCodebookOptions:
    file: Path
    out: Path | None = None             # default: outputs/FILE-NAME.yaml
    force: bool = False


@dataclass
class ImportCodebookReport(Report):
    out: Path
    codebook: Codebook
    origin: str
    notes: list = field(default_factory=list)

    def lines(self, quiet: bool = False) -> Iterator[Line]:
        yield from said([n for n in self.notes if n.kind == "problem" or not quiet])
        bare = sum(1 for c in self.codebook.codes if not c.terms)
        yield Line(f"{len(self.codebook.codes)} code(s), {len(self.codebook.groups)} folder(s) from {self.origin}"
                   + (f"; {bare} code(s) without terms: add terms before `qcode run`" if bare else ""))
        yield Line(f"codebook: {self.out}")


def import_codebook(options: ImportCodebookOptions) -> ImportCodebookReport:
    """Write the codes of FILE as a qcode codebook YAML (never over an existing file)."""
    path, out, force = options.file, options.out, options.force
    exchange = read_exchange(path)
    out = Path(out) if out else default_out_file(Path(path).stem, ".yaml")
    check_target(out, force, "codebook", forceable=False)
    codes, groups = codebook_entries(exchange)
    name = exchange.root.get("name") or Path(path).stem
    data = {"name": name, "version": "1", "codes": codes}
    if groups:
        data["groups"] = groups
    origin = exchange.origin or "unknown software"
    # the file's name and its `origin` are a stranger's text: one line each, or they would add lines to the YAML
    header = (f"# Imported by `qcode import-codebook` from {one_line(Path(path).name)} (written by "
              f"{one_line(origin)}) on "
              f"{dt.date.today().isoformat()}.\n"
              "# Codes come without terms: add English (en) and Chinese (zh) terms to each code before\n"
              "# `qcode run`; a code without terms is never assigned. `groups` are the folders of the\n"
              "# original tree (never assigned); `guid` keeps each code's identity for a later export.\n")
    text = header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100,
                                   default_flow_style=False)
    codebook = codebook_from_yaml(text, str(out))        # what `qcode run` will read, checked before writing
    write_atomically(out, text.encode("utf-8"))
    notes = exchange.notes + [note(str(out), f"{len(codes)} code(s) and {len(groups)} folder(s) imported from "
                                   f"{Path(path).name}")]
    return ImportCodebookReport(out=out, codebook=codebook, origin=origin, notes=notes + codebook.notes)
