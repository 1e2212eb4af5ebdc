"""A workshop score sheet → a scores folder: scores.xlsx (scores, study table, checks, heat map, scatter,
problems), scores.csv, scores_heatmap.png, scores_scatter.png, scores.json."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.commands.report import Failure, Line, Report, said, workbook_line
from pipeline.defaults import workshop_sheet
from pipeline.errors import Problem, StrictModeError
from pipeline.scores.read import HIGH, LOW, read_scores
from pipeline.scores.tables import ScoreTables, heat_map, scatter_points, score_tables
from pipeline.scores.workbook import write_workbook
from pipeline.write.folder import OutputFolder, default_out_dir, manifest_header, write_csv
from pipeline.write.plots import heat_map as plot_heat_map
from pipeline.write.plots import labelled_scatter

WORKBOOK = "scores.xlsx"
MANIFEST = "scores.json"


@dataclass
class ScoresOptions:
    sheet: Path | None = None           # default: the study's Task 3 sheet
    out: Path | None = None             # default: a new outputs/scores-…
    sheet_name: str | None = None
    strict: bool = False
    force: bool = False


@dataclass
class ScoresReport(Report):
    out: Path
    tables: ScoreTables
    pillars: list[str]
    groups: int
    problems: list[Problem]
    shape: str
    sheet: Path | None = None           # the score sheet read (named on each line about one of its rows)

    def ranked(self, measure: str) -> list[tuple[str, float]]:
        """(pillar, mean) of the last case for `measure`, best first."""
        long, final = self.tables.long, self.tables.cases[-1]
        rows = long[(long["case"] == final) & (long["measure"] == measure)].sort_values("rank")
        return [(r.pillar, r.mean) for r in rows.itertuples()]

    def lines(self, quiet: bool = False) -> Iterator[Line]:
        yield from said(self.problems)
        if quiet:
            yield workbook_line(self.out, WORKBOOK)
            return
        for slip in self.tables.slips.itertuples():
            yield Line(f"typed average differs: {self.sheet}:{slip.row}: {slip.pillar} ({slip.label}, {slip.measure}): "
                       f"typed {slip.typed}, true {slip.true:.3f}", err=True)
        yield Line(f"{self.groups} group row(s) × {len(self.pillars)} pillars, case(s): "
                   f"{', '.join(self.tables.cases)}")
        for measure in ("relevance", "usability"):
            yield Line(f"{measure} ({self.tables.cases[-1]}): "
                       + ", ".join(f"{pillar} {mean:.1f}" for pillar, mean in self.ranked(measure)))
        yield Line(f"{len(self.tables.checks)} typed average(s) checked, {len(self.tables.slips)} differ")
        yield workbook_line(self.out, WORKBOOK)


def run_scores(options: ScoresOptions) -> ScoresReport | Failure:
    path = options.sheet or workshop_sheet()
    folder = OutputFolder(options.out or default_out_dir("scores"), options.force, WORKBOOK, MANIFEST)
    sheet = read_scores(path, options.sheet_name)
    if options.strict and sheet.problems:
        return Failure(StrictModeError(path, f"--strict: {len(sheet.problems)} problem(s) in the score sheet",
                                       hint="fix them, or run without --strict to leave those cells out",
                                       problems=sheet.problems))
    if not sheet.scores:
        raise StrictModeError(path, "no usable score in the sheet", problems=sheet.problems,
                              hint="one row per group, one column per pillar; see the README")
    tables = score_tables(sheet)
    with folder:
        write_csv(folder.path("scores.csv"), tables.long)
        write_csv(folder.path("scores_table.csv"), tables.table)
        write_csv(folder.path("typed_averages.csv"), tables.checks)
        wide = heat_map(tables.long, sheet.pillars, tables.cases)
        points = scatter_points(tables.long, sheet.pillars, tables.cases)
        fonts = [plot_heat_map(folder.path("scores_heatmap.png"), sheet.pillars, list(wide.columns),
                               wide.values.tolist(), "Mean score by pillar and case (1–5)", LOW, HIGH),
                 labelled_scatter(folder.path("scores_scatter.png"),
                                  [(r.pillar, r.case, r.relevance, r.usability) for r in points.itertuples()],
                                  "Relevance vs usability per pillar (means)", "relevance", "usability", LOW, HIGH)]
        problems = list(sheet.problems)
        if not all(fonts):
            problems.append(Problem("scores_*.png", "no Chinese font is installed, so Chinese labels show as "
                                    "boxes in the PNG charts", hint="the Excel charts show them; or install "
                                                                    "fonts-noto-cjk and run scores again",
                                    kind="note"))
        write_workbook(folder.path(WORKBOOK), tables, wide, points, problems)
        manifest = manifest_header(sheet=str(Path(path).resolve()), sheet_name=sheet.sheet, shape=sheet.shape,
                                   pillars=sheet.pillars, cases=tables.cases, typed_averages=len(tables.checks),
                                   typed_averages_differing=len(tables.slips),
                                   problems=[p.as_dict() for p in problems])
        out = folder.seal(manifest)
    groups = len({(s.workshop, s.case, s.group) for s in sheet.scores})
    return ScoresReport(out=out, tables=tables, pillars=sheet.pillars, groups=groups, problems=problems,
                        shape=sheet.shape, sheet=path)


