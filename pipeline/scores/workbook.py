"""Score tables → scores.xlsx (scores, study table, heat map, scatter, typed averages, notes) [writes disk]."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import Reference, ScatterChart, Series
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.utils import get_column_letter

from pipeline.errors import Problem
from pipeline.scores.read import GENERAL, HIGH, LOW, OVERALL
from pipeline.scores.tables import ScoreTables
from pipeline.write.excel import PALETTE, clean, place_chart, write_frame

OVERALL_NOTE = (f"{OVERALL} = the mean of the case means (each case study weighs the same, as the study reports "
                "it); its n is the number of cases, sd/min/max are over the case means. The general assessment "
                f"(blank case, shown as {GENERAL}) is not part of {OVERALL}.")
_ONE_DECIMAL = "0.0"


def write_workbook(path: Path, tables: ScoreTables, wide: pd.DataFrame, points: pd.DataFrame,
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
    place_chart(writer, _scatter_chart(writer.sheet, points))
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


def _scatter_chart(sheet, points: pd.DataFrame) -> ScatterChart:
    """One series per pillar (its points: one per case), markers only — filled in the pillar's colour (a marker
    without a fill is invisible in LibreOffice) — axes 1–5."""
    chart = ScatterChart()
    chart.title = "Relevance vs usability per pillar (means)"
    chart.style = 13
    chart.x_axis.title, chart.y_axis.title = "relevance (mean score, 1–5)", "usability (mean score, 1–5)"
    for axis in (chart.x_axis, chart.y_axis):
        axis.scaling.min, axis.scaling.max = LOW, HIGH
        axis.delete = False
    chart.width, chart.height = 18, 12
    start = 2
    for pillar, rows in points.groupby("pillar", sort=False):
        end = start + len(rows) - 1
        xs = Reference(sheet, min_col=3, min_row=start, max_row=end)
        ys = Reference(sheet, min_col=4, min_row=start, max_row=end)
        series = Series(ys, xs, title=clean(str(pillar)))       # a literal name (SeriesLabel v), no formula
        series.marker.symbol = "circle"
        series.marker.size = 8
        colour = PALETTE[len(chart.series) % len(PALETTE)]
        series.marker.graphicalProperties = GraphicalProperties(solidFill=colour)
        series.marker.graphicalProperties.line.solidFill = colour
        series.graphicalProperties.line.noFill = True
        chart.series.append(series)
        start = end + 1
    return chart
