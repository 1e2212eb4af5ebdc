"""A run × a project coded by hand in another tool (.qdpx) → an agreement folder (`qcode agreement`).

The two codings are compared on the run's coding units of the respondent's speech (see
`pipeline.refi.agreement`); the run is re-coded from its transcripts, which must be unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.coding.cache import cache_folder
from pipeline.coding.corpus import worker_count
from pipeline.commands.report import Line, Report, said, shown, workbook_line
from pipeline.errors import ExchangeError, Problem, StrictModeError, note
from pipeline.refi.agreement import (
    agreement_figures,
    chosen_coders,
    hand_units,
    machine_units,
    match_codes,
    match_sources,
    position_unit,
    respondent_units,
    write_workbook,
)
from pipeline.refi.positions import ExportedText
from pipeline.refi.project import read_project
from pipeline.refi.project_export import source_guid
from pipeline.refi.read import WRITERS, read_exchange
from pipeline.refi.xml import PROJECT_NS
from pipeline.runfolder.load import load_run
from pipeline.runfolder.recode import recode_run
from pipeline.runfolder.texts import read_assignments
from pipeline.write.folder import OutputFolder, default_out_dir, manifest_header, write_csv

WORKBOOK = "agreement.xlsx"
MANIFEST = "agreement.json"


@dataclass
class AgreementOptions:
    run: Path
    project: Path
    out: Path | None = None             # default: a new outputs/agreement-…
    positions: str = "auto"             # auto | codepoints | utf16
    user: str = ""                      # only this coder's codings ("" = every coder but qcode)
    transcripts: Path | None = None
    force: bool = False
    jobs: int | None = None             # default: every core
    cache: Path | None = None           # segmentation cache folder [default: the user's]
    no_cache: bool = False
    strict: bool = False                # a problem (a selection qcode cannot place, …) stops before writing
    cluster: str | None = None          # re-code on a Dask cluster: a scheduler address or file, or local[:N]


@dataclass
class AgreementReport(Report):
    out: Path
    figures: pd.DataFrame
    disagreements: pd.DataFrame
    positions: str
    coders: list[str]
    sources_compared: int
    notes: list[Problem] = field(default_factory=list)

    def lines(self, quiet: bool = False) -> Iterator[Line]:
        yield from said([n for n in self.notes if n.kind == "problem" or not quiet])
        if quiet:
            yield workbook_line(self.out, WORKBOOK)
            return
        overall = self.figures.set_index("code").loc["overall"]
        yield Line(f"{self.sources_compared} transcript(s) compared with {', '.join(self.coders) or 'the project'}'s "
                   f"coding (positions in {self.positions})")
        yield Line(f"overall: {int(overall['rows'])} unit×code cells, agreement {shown(overall['percent_agreement'])}, "
                   f"kappa {shown(overall['kappa'])}, alpha {shown(overall['alpha'])}; {int(overall['both'])} coded "
                   f"by both, {int(overall['qcode_only'])} by qcode only, {int(overall['second_only'])} by hand only")
        yield workbook_line(self.out, WORKBOOK)


def compare_codings(options: AgreementOptions) -> AgreementReport:
    tables = load_run(options.run)
    exchange = read_exchange(options.project)
    where = str(options.project)
    if exchange.ns != PROJECT_NS:
        raise ExchangeError(options.project, "is a codebook, not a coded project",
                            hint=f"export the whole project (.qdpx) from {WRITERS}")
    folder = OutputFolder(options.out or default_out_dir("agreement"), options.force, WORKBOOK, MANIFEST)
    project = read_project(exchange)
    notes: list[Problem] = list(exchange.notes) + project.problems
    code_map, codes_frame = match_codes(tables.codebook.codes, project)
    shared = [c for c in tables.codebook.ids if c in code_map.values()]
    if not shared:
        raise ExchangeError(options.project, "none of its codes is a code of the run's codebook (by GUID or name: "
                            f"{', '.join(sorted(project.codes.values())[:8])})",
                            hint="name the codes in the other tool as the codebook's labels or ids, or start "
                                 "from `qcode export-codebook`/`export-project`")
    coders = chosen_coders(project, options.user, where)
    recoded = recode_run(tables.manifest, tables.path / "run.json", options.transcripts,
                         worker_count(options.jobs), cache_folder(options.cache, options.no_cache), options.cluster)
    texts = {f: ExportedText(r.text) for f, r in recoded.results.items()}
    guids = {f["source_file"]: source_guid(f) for f in tables.manifest.get("files", [])}
    source_map, source_problems, sources_frame = match_sources(project, texts, guids, where)
    notes += source_problems
    if not source_map:
        raise ExchangeError(options.project, "no source of the project is a transcript of the run (by name and "
                            "text)", hint="code the run's transcripts in the other tool, e.g. the sources of "
                                          "`qcode export-project`", problems=source_problems)
    unit = position_unit(options.positions, exchange.origin)
    units = {f: respondent_units(recoded.results[f]) for f in set(source_map.values())}
    hand, outside = hand_units(project, source_map, texts, units, code_map, coders, unit, where, notes)
    machine, machine_rows = machine_units(read_assignments(tables), units)
    figures, disagreements = agreement_figures(shared, recoded, units, machine, machine_rows, hand)
    for code, count in sorted(outside.items()):
        notes.append(note(where, f"{count} hand selection(s) of {code!r} lie outside the respondent's coded "
                                 "speech (interviewer turns, titles); not compared"))
    unshared = sorted(set(tables.codebook.ids) - set(shared))
    if unshared:
        notes.append(note(where, f"code(s) {', '.join(unshared)} of the run are not in the project; not compared"))
    if options.strict and (problems := [n for n in notes if n.kind == "problem"]):
        raise StrictModeError(where, f"--strict: {len(problems)} problem(s) in the project; nothing was written",
                              hint="fix them, or run without --strict", problems=problems)
    with folder:
        write_csv(folder.path("agreement.csv"), figures)
        write_csv(folder.path("disagreements.csv"), disagreements)
        write_csv(folder.path("codes.csv"), codes_frame)
        write_csv(folder.path("sources.csv"), sources_frame)
        coder_names = sorted({project.users.get(u, u) for u in coders}) if coders else []
        about = [("run", str(tables.path.resolve())), ("coding", tables.coding),
                 ("project", str(Path(options.project).resolve())), ("positions", unit),
                 ("second coder", ", ".join(coder_names) or "every coding in the project")]
        about += [(n.kind, str(n).replace("\n  ", " ")) for n in notes]
        write_workbook(folder.path(WORKBOOK), figures, disagreements, codes_frame, sources_frame, about)
        manifest = manifest_header(run=str(tables.path.resolve()), coding=tables.coding,
                                   project=str(Path(options.project).resolve()), positions=unit,
                                   coders=coder_names, sources_compared=len(source_map),
                                   notes=[n.as_dict() for n in notes])
        if recoded.cluster is not None:
            manifest["cluster"] = recoded.cluster
        out = folder.seal(manifest)
    return AgreementReport(out=out, figures=figures, disagreements=disagreements, positions=unit,
                             coders=coder_names,
                           sources_compared=len(source_map), notes=notes)
