"""Compare tables → compare.xlsx (table, chart of rates and shares, runs, notes) and compare.png [writes disk]."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.shapes import GraphicalProperties

from pipeline.compare.table import Codes, Groups
from pipeline.errors import Problem
from pipeline.write.excel import PALETTE, clean, place_chart, write_frame
from pipeline.write.plots import grouped_bars

WORDS_NOTE = ("respondent_words counts words as qcode segments them: spaCy tokens for English, jieba words for "
              "Chinese (not characters), punctuation left out, so rates per 1,000 words are comparable across "
              "languages. units = coding units (sentences, or turns with --unit turn) holding the code: a "
              "sentence that says it three times is 3 mentions and 1 unit, so units_per_1000_words is not "
              "inflated by repetition; the tests are on mentions.")
TESTS_NOTE = ("Tests are two-sided, per code. fisher_p: Fisher's exact test on interviewees mentioning vs not, "
              "two groups. chi2_p: Pearson's chi-square on the same table, more than two groups (chi2_warning "
              "flags expected counts below 5). g2/g2_p: log-likelihood G² on mentions per word (Rayson & Garside "
              "2000), k−1 degrees of freedom. log_ratio: log2 of the group's mentions per word over everyone "
              "else's (Hardie 2014; a zero count taken as 0.5). …_adj: Benjamini–Hochberg adjusted across the "
              "codes compared.")
_FORMATS = {"share": "0.0%", "per_1000_words": "0.00", "units_per_1000_words": "0.00", "log_ratio": "0.00",
            "chi2": "0.00", "g2": "0.00",
            **{c: "0.0000" for c in ("fisher_p", "fisher_p_adj", "chi2_p", "chi2_p_adj", "g2_p", "g2_p_adj")}}


def wide_rates(table: pd.DataFrame, groups: list[str], codes: list[str]) -> pd.DataFrame:
    """code × group: per 1,000 words, then share of interviewees mentioning."""
    rates = table.pivot(index="code", columns="group", values="per_1000_words").reindex(index=codes,
                                                                                       columns=groups)
    shares = table.pivot(index="code", columns="group", values="share").reindex(index=codes, columns=groups)
    wide = pd.concat([rates.add_suffix(" per 1,000 words"), shares.add_suffix(" share")], axis=1)
    wide.index.name = "code"
    return wide


def write_png(path: Path, table: pd.DataFrame, wide: pd.DataFrame, groups: Groups, codes: Codes) -> bool:
    values = [wide[f"{g} per 1,000 words"].tolist() for g in groups.names]
    marks = [[f"{share:.0%}" for share in wide[f"{g} share"]] for g in groups.names]
    sizes = table.drop_duplicates("group").set_index("group")["group_size"]
    legend = [f"{g} (n={sizes[g]})" for g in groups.names]
    return grouped_bars(path, [codes.labels.get(c, c) for c in codes.ids], legend, values, marks,
                        title=f"Mentions per 1,000 respondent words, by {groups.by.replace('_', ' ')}",
                        ylabel="mentions per 1,000 words",
                        caption="Above each bar: share of the group's interviewees who mention the code.")


def write_workbook(path: Path, table: pd.DataFrame, wide: pd.DataFrame, groups: Groups, codes: Codes,
                    runs: pd.DataFrame, notes: list[Problem]) -> None:
    workbook = Workbook(write_only=True)
    write_frame(workbook, "Compare", with_labels(table, codes), formats=_FORMATS, wrap=set())
    formats = {c: ("0.0%" if c.endswith(" share") else "0.00") for c in wide.columns}
    writer = write_frame(workbook, "Chart", with_labels(wide.reset_index(), codes), formats=formats)
    place_chart(writer, _chart(writer.sheet, len(codes.ids), len(groups.names), groups.by))
    write_frame(workbook, "Runs", runs)
    if not codes.not_comparable.empty:
        write_frame(workbook, "Not comparable", codes.not_comparable)
    about = [("words", WORDS_NOTE), ("tests", TESTS_NOTE if not groups.overlapping else
                                     "Not tested: the groups overlap (see the note below).")]
    about += [(n.kind, str(n).replace("\n  ", " ")) for n in notes]
    write_frame(workbook, "Notes", pd.DataFrame(about, columns=["kind", "value"]), wrap={"value"})
    workbook.save(path)


def with_labels(table: pd.DataFrame, codes: Codes) -> pd.DataFrame:
    """The table with each code's label beside its id (where it has none yet)."""
    if "label" in table.columns:
        return table
    table = table.copy()
    table.insert(table.columns.get_loc("code") + 1, "label", [codes.labels.get(c) or c for c in table["code"]])
    return table


def _chart(sheet, n_codes: int, n_groups: int, by: str) -> BarChart:
    """Bars: rates per 1,000 words by group; diamonds on a second axis: the share of interviewees, filled in
    the group's colour (a marker without a fill prints white in LibreOffice)."""
    bars = BarChart()
    bars.type, bars.grouping = "col", "clustered"
    bars.title = clean(f"Mentions per 1,000 words by {by} (◆ share of interviewees)")
    bars.y_axis.title, bars.x_axis.title = "mentions per 1,000 respondent words", "code"
    bars.y_axis.delete = bars.x_axis.delete = False
    bars.width, bars.height = 24, 16         # room for the labels under the bars
    bars.add_data(Reference(sheet, min_col=3, max_col=n_groups + 2, min_row=1, max_row=n_codes + 1),
                  titles_from_data=True)
    categories = Reference(sheet, min_col=2, min_row=2, max_row=n_codes + 1)
    bars.set_categories(categories)
    for index, series in enumerate(bars.series):
        series.graphicalProperties.solidFill = PALETTE[index % len(PALETTE)]
        series.graphicalProperties.line.solidFill = PALETTE[index % len(PALETTE)]
    shares = LineChart()
    shares.add_data(Reference(sheet, min_col=n_groups + 3, max_col=2 * n_groups + 2, min_row=1,
                              max_row=n_codes + 1), titles_from_data=True)
    shares.set_categories(categories)
    shares.y_axis.axId = 200
    shares.y_axis.title = "share of interviewees"
    shares.y_axis.number_format = "0%"
    shares.y_axis.scaling.min, shares.y_axis.scaling.max = 0, 1
    shares.y_axis.crosses = "max"
    shares.y_axis.delete = False
    for index, series in enumerate(shares.series):
        series.graphicalProperties.line.noFill = True
        series.marker.symbol = "diamond"
        series.marker.size = 9
        series.marker.graphicalProperties = GraphicalProperties(solidFill=PALETTE[index % len(PALETTE)])
        series.marker.graphicalProperties.line.solidFill = "000000"
    bars += shares
    return bars
