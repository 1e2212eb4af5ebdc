"""A workshop score sheet → a scores folder: scores.xlsx (scores, study table, checks, heat map, scatter,
problems), scores.csv, scores_heatmap.png, scores_scatter.png, scores.json."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import Reference, ScatterChart, Series
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.utils import get_column_letter

from . import __version__
from .errors import Problem, StrictModeError
from .outputs import RunFolder, check_out_dir, seal, write_csv
from .plots import heat_map as plot_heat_map
from .plots import labelled_scatter
from .scores import ScoreTables, heat_map, scatter_points, score_tables
from .scores_read import GENERAL, HIGH, LOW, OVERALL, read_scores
from .workbook import write_frame

WORKBOOK = "scores.xlsx"
MANIFEST = "scores.json"
OVERALL_NOTE = (f"{OVERALL} = the mean of the case means (each case study weighs the same, as the study reports "
                "it); its n is the number of cases, sd/min/max are over the case means. The general assessment "
                f"(blank case, shown as {GENERAL}) is not part of {OVERALL}.")
_ONE_DECIMAL = "0.0"


@dataclass
class ScoresOptions:
    sheet: Path
    out: Path
    sheet_name: str | None = None
    strict: bool = False
    force: bool = False


@dataclass
class ScoresReport:
    out: Path
    tables: ScoreTables
    pillars: list[str]
    groups: int
    problems: list[Problem]
    shape: str


def run_scores(options: ScoresOptions) -> ScoresReport:
    check_out_dir(options.out, options.force, manifest_name=MANIFEST, workbook_name=WORKBOOK)
    sheet = read_scores(options.sheet, options.sheet_name)
    if options.strict and sheet.problems:
        raise StrictModeError(options.sheet, f"--strict: {len(sheet.problems)} problem(s) in the score sheet",
                              hint="fix them, or run without --strict to leave those cells out",
                              problems=sheet.problems)
    if not sheet.scores:
        raise StrictModeError(options.sheet, "no usable score in the sheet", problems=sheet.problems,
                              hint="one row per group, one column per pillar; see the README")
    tables = score_tables(sheet)
    folder = RunFolder(options.out)
    try:
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
                                    "boxes in the PNG charts", hint="the Excel charts show them", kind="note"))
        _write_workbook(folder.path(WORKBOOK), tables, wide, points, problems)
        manifest = {"format_version": 1, "qcode_version": __version__,
                    "created": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                    "sheet": str(Path(options.sheet).resolve()), "sheet_name": sheet.sheet, "shape": sheet.shape,
                    "pillars": sheet.pillars, "cases": tables.cases,
                    "typed_averages": len(tables.checks), "typed_averages_differing": len(tables.slips),
                    "problems": [p.as_dict() for p in problems]}
        out = seal(folder, manifest, WORKBOOK, MANIFEST)
    except BaseException:
        folder.discard()
        raise
    groups = len({(s.workshop, s.case, s.group) for s in sheet.scores})
    return ScoresReport(out=out, tables=tables, pillars=sheet.pillars, groups=groups, problems=problems,
                        shape=sheet.shape)


def _write_workbook(path: Path, tables: ScoreTables, wide: pd.DataFrame, points: pd.DataFrame,
                    problems: list[Problem]) -> None:
    workbook = Workbook(write_only=True)
    numbers = {c: _ONE_DECIMAL for c in ("mean", "sd", "min", "max")}
    write_frame(workbook, "Scores", tables.long, formats=numbers)
    pillars = [c for c in tables.table.columns if c not in ("case", "row")]
    write_frame(workbook, "Table", tables.table, formats=dict.fromkeys(pillars, _ONE_DECIMAL))
    writer = write_frame(workbook, "Heat map", wide, index=True, formats=dict.fromkeys(wide.columns, _ONE_DECIMAL))
    if len(wide):
        area = f"B2:{get_column_letter(len(wide.columns) + 1)}{len(wide) + 1}"
        writer.sheet.conditional_formatting.add(area, ColorScaleRule(
            start_type="num", start_value=LOW, start_color="FFFFFFCC", mid_type="num", mid_value=(LOW + HIGH) / 2,
            mid_color="FFFD8D3C", end_type="num", end_value=HIGH, end_color="FFBD0026"))
    writer = write_frame(workbook, "Scatter", points, formats={"relevance": _ONE_DECIMAL, "usability": _ONE_DECIMAL})
    _scatter_chart(writer.sheet, points)
    checks = write_frame(workbook, "Typed averages", tables.checks,
                         formats={"true": "0.000", "difference": "0.000"})
    checks.sheet.freeze_panes = "A2"
    notes = [("overall", OVERALL_NOTE), ("shown", "The workbook shows one decimal; scores.csv keeps full precision."),
             ("typed averages", f"{len(tables.checks)} typed average(s) read, {len(tables.slips)} differ from the "
                                "true value beyond the rounding shown (Typed averages sheet); they are never used "
                                "as data.")]
    notes += [(p.kind, str(p).replace("\n  ", " ")) for p in problems]
    write_frame(workbook, "Notes", pd.DataFrame(notes, columns=["kind", "value"]), wrap={"value"})
    workbook.save(path)


def _scatter_chart(sheet, points: pd.DataFrame) -> None:
    """One series per pillar (its points: one per case), markers only, axes 1–5."""
    chart = ScatterChart()
    chart.title = "Relevance vs usability per pillar (means)"
    chart.style = 13
    chart.x_axis.title, chart.y_axis.title = "relevance", "usability"
    for axis in (chart.x_axis, chart.y_axis):
        axis.scaling.min, axis.scaling.max = LOW, HIGH
        axis.delete = False
    chart.width, chart.height = 18, 12
    start = 2
    for pillar, rows in points.groupby("pillar", sort=False):
        end = start + len(rows) - 1
        xs = Reference(sheet, min_col=3, min_row=start, max_row=end)
        ys = Reference(sheet, min_col=4, min_row=start, max_row=end)
        series = Series(ys, xs, title=str(pillar))
        series.marker.symbol = "circle"
        series.marker.size = 8
        series.graphicalProperties.line.noFill = True
        chart.series.append(series)
        start = end + 1
    sheet.add_chart(chart, "F2")
