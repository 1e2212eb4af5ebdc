"""pipeline.compare.workbook: the code × group rates and the compare workbook, read back with openpyxl."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from conftest import SMALL_CODEBOOK
from openpyxl import load_workbook

from pipeline.compare.table import compare_table, group_interviewees, overlap_note, shared_codes
from pipeline.compare.workbook import TESTS_NOTE, wide_rates, write_workbook
from pipeline.errors import note
from pipeline.read.codebook import codebook_from_yaml
from pipeline.runfolder.load import RunTables

# Two hand-made runs, one country each (SMALL_CODEBOOK: equity, privacy, good). person → (groups, words, mentions)
UK = {"u1": ("Policy Maker", 100, {"equity": 4, "privacy": 1}), "u2": ("Developer", 100, {"privacy": 2})}
CN = {"c1": ("Developer", 300, {"privacy": 1}), "c2": ("Policy Maker; Developer", 100, {})}


def tables(path, people, country, codebook=SMALL_CODEBOOK) -> RunTables:
    roster = pd.DataFrame([{"interviewee_id": p, "stakeholder_groups": g, "country": country,
                            "respondent_words": w} for p, (g, w, _) in people.items()])
    counts = pd.DataFrame([{"interviewee_id": p, "code": c, "mentions": n}
                           for p, (_, _, mentions) in people.items() for c, n in mentions.items()])
    return RunTables(path=path, manifest={}, roster=roster, counts=counts,
                     codebook=codebook_from_yaml(codebook, "codebook.yaml"))


@pytest.fixture
def compared(tmp_path):
    runs = [tables(tmp_path / "uk", UK, "UK"), tables(tmp_path / "cn", CN, "China")]
    groups, codes = group_interviewees(runs, "country"), shared_codes(runs)
    return runs, groups, codes, compare_table(groups, codes)


RUNS = pd.DataFrame([{"run": "uk", "coding": "machine"}, {"run": "cn", "coding": "reviewed"}])


def written(tmp_path, compared, notes=()):
    _, groups, codes, table = compared
    path = tmp_path / "compare.xlsx"
    write_workbook(path, table, wide_rates(table, groups.names, codes.ids), groups, codes, RUNS, list(notes))
    return load_workbook(path)


def test_wide_rates_is_code_by_group_rates_then_shares(compared):
    _, groups, codes, table = compared
    wide = wide_rates(table, groups.names, codes.ids)
    assert wide.index.name == "code" and wide.index.tolist() == ["equity", "privacy", "good"]
    assert wide.columns.tolist() == ["UK per 1,000 words", "China per 1,000 words", "UK share", "China share"]


def test_wide_rates_values_are_the_tables(compared):
    _, groups, codes, table = compared
    wide = wide_rates(table, groups.names, codes.ids)
    # UK privacy: 1 + 2 mentions in 200 words; China: 1 in 400. Shares: 2 of 2, 1 of 2
    assert wide.loc["privacy"].tolist() == pytest.approx([15.0, 2.5, 1.0, 0.5])
    assert wide.loc["good"].tolist() == [0, 0, 0, 0]


def test_wide_rates_follow_the_order_asked_not_the_tables(compared):
    _, _, _, table = compared
    wide = wide_rates(table, ["China", "UK"], ["good", "equity"])
    assert wide.index.tolist() == ["good", "equity"]
    assert wide.columns.tolist() == ["China per 1,000 words", "UK per 1,000 words", "China share", "UK share"]
    assert wide.loc["equity", "UK per 1,000 words"] == pytest.approx(20.0)        # 1000 × 4 / 200


def test_workbook_sheets_in_order_without_not_comparable_when_all_shared(tmp_path, compared):
    assert written(tmp_path, compared).sheetnames == ["Compare", "Chart", "Runs", "Notes"]


def test_workbook_has_a_not_comparable_sheet_when_codebooks_differ(tmp_path):
    cn_book = SMALL_CODEBOOK + "  - id: trust\n    label: Trust\n    terms:\n      zh: [信任]\n"
    runs = [tables(tmp_path / "uk", UK, "UK"), tables(tmp_path / "cn", CN, "China", cn_book)]
    groups, codes = group_interviewees(runs, "country"), shared_codes(runs)
    table = compare_table(groups, codes)
    path = tmp_path / "compare.xlsx"
    write_workbook(path, table, wide_rates(table, groups.names, codes.ids), groups, codes, RUNS, codes.notes)
    book = load_workbook(path)
    assert book.sheetnames == ["Compare", "Chart", "Runs", "Not comparable", "Notes"]
    assert list(book["Not comparable"].values) == [("code", "in_runs", "missing_from"), ("trust", "cn", "uk")]


def test_compare_sheet_holds_the_table(tmp_path, compared):
    _, _, _, table = compared
    sheet = written(tmp_path, compared)["Compare"]
    values = list(sheet.values)
    assert list(values[0]) == table.columns.tolist()
    assert len(values) == 1 + len(table)
    header = values[0]
    uk_privacy = dict(zip(header, values[3], strict=True))
    assert (uk_privacy["group"], uk_privacy["code"], uk_privacy["mentions"]) == ("UK", "privacy", 3)
    assert uk_privacy["chi2"] is None                    # NaN (two groups: no chi-square) → an empty cell


def test_compare_sheet_number_formats(tmp_path, compared):
    sheet = written(tmp_path, compared)["Compare"]
    header = [c.value for c in sheet[1]]
    formats = {name: sheet.cell(2, header.index(name) + 1).number_format
               for name in ("share", "per_1000_words", "log_ratio", "fisher_p", "g2_p_adj", "mentions")}
    assert formats == {"share": "0.0%", "per_1000_words": "0.00", "log_ratio": "0.00", "fisher_p": "0.0000",
                       "g2_p_adj": "0.0000", "mentions": "General"}


def test_chart_sheet_holds_the_wide_rates_with_formats(tmp_path, compared):
    sheet = written(tmp_path, compared)["Chart"]
    assert [c.value for c in sheet[1]] == ["code", "label", "UK per 1,000 words", "China per 1,000 words",
                                            "UK share", "China share"]
    assert [c.value for c in sheet[3]][:1] + [c.value for c in sheet[3]][2:] == ["privacy", 15, 2.5, 1, 0.5]
    assert [sheet.cell(3, col).number_format for col in range(3, 7)] == ["0.00", "0.00", "0.0%", "0.0%"]


def test_chart_sheet_has_one_bar_chart_with_a_series_per_group(tmp_path, compared):
    charts = written(tmp_path, compared)["Chart"]._charts
    assert len(charts) == 1
    chart = charts[0]
    assert chart.tagname == "barChart"
    assert len(chart.series) == 2                        # UK and China rates; the shares ride on a line chart
    assert chart.series[0].val.numRef.f == "'Chart'!$C$2:$C$4"
    assert chart.series[0].cat.numRef.f == "'Chart'!$B$2:$B$4"          # the codes' labels


def test_share_diamonds_are_filled_in_their_groups_colour(tmp_path, compared):
    chart = written(tmp_path, compared)["Chart"]._charts[0]
    bars = [s.graphicalProperties.solidFill for s in chart.series]
    (line,) = [c for c in chart._charts if c.tagname == "lineChart"]
    diamonds = [s.marker for s in line.series]
    assert [m.symbol for m in diamonds] == ["diamond", "diamond"]
    assert [m.graphicalProperties.solidFill for m in diamonds] == bars
    assert len(set(bars)) == 2


def test_runs_sheet_lists_the_runs(tmp_path, compared):
    assert list(written(tmp_path, compared)["Runs"].values) == [("run", "coding"), ("uk", "machine"),
                                                                 ("cn", "reviewed")]


def test_notes_sheet_explains_words_and_tests_then_the_notes(tmp_path, compared):
    extra = note("runs", "some runs are reviewed", hint="audit the others")
    values = list(written(tmp_path, compared, [extra])["Notes"].values)
    assert values[0] == ("kind", "value")
    assert [v[0] for v in values[1:]] == ["words", "tests", "note"]
    assert values[2][1] == TESTS_NOTE
    assert values[3][1] == "runs: some runs are reviewed → audit the others"     # hint kept on one line


def test_notes_sheet_says_overlapping_groups_are_not_tested(tmp_path, compared):
    runs = compared[0]
    groups, codes = group_interviewees(runs, "stakeholder_group"), shared_codes(runs)
    table = compare_table(groups, codes)
    assert math.isnan(table["fisher_p"].iloc[0])
    path = tmp_path / "overlap.xlsx"
    write_workbook(path, table, wide_rates(table, groups.names, codes.ids), groups, codes, RUNS,
                   [overlap_note(groups)])
    values = dict(list(load_workbook(path)["Notes"].values)[1:3])
    assert values["tests"] == "Not tested: the groups overlap (see the note below)."
