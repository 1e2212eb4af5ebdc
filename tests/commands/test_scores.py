"""qcode scores: workshop score sheets in both shapes, typed averages checked, bad cells named."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import REPO, SHARED, qcode, write
from openpyxl import Workbook, load_workbook

SAMPLE_SHEET = REPO / "transcripts" / "workshop" / "task3_scores.csv"
PILLARS = ["Power", "Equity", "Identity", "Knowledge", "Access", "Participation"]
# The study's Task 3 averages (STUDY.md, "Workshop scoring"), copied as printed:
STUDY_AVERAGES = {"relevance": [4.8, 4.4, 3.8, 4.2, 4, 4], "usability": [3.2, 3.4, 3, 3.8, 2.6, 2]}

# Task 4 as typed from the paper forms: relevance,usability pairs (one with a full-width comma), blocks of
# groups closed by the case's average row, a final Overall row. Case 1's Equity average is a slip:
# relevance (4+2+3)/3 = 3.0, typed 3.3.
TASK4 = """\
,Power,Equity,Access
G1,"5,4","4,2","3,3"
G2,"4,4","2,2","5，1"
G3,"3,1","3,5","4,2"
Case 1,"4,3","3.3,3","4,2"
G1,"2,2","5,5","1,1"
G2,"4,2","5,3","1,3"
Case 2,"3,2","5,4","1,2"
Overall,"3.5,2.5","4,3.5","2.5,2"
"""


def means(out) -> dict:
    long = pd.read_csv(out / "scores.csv", encoding="utf-8-sig")
    return {(r.case, r.pillar, r.measure): r for r in long.itertuples()}


def test_task3_sample_reproduces_every_study_average(tmp_path):
    out = tmp_path / "s"
    result = qcode("scores", "--out", out)           # no argument: the shipped Task 3 sheet
    assert result.exit_code == 0, result.output
    rows = means(out)
    for measure, averages in STUDY_AVERAGES.items():
        for pillar, average in zip(PILLARS, averages, strict=True):
            row = rows[("General", pillar, measure)]
            assert round(row.mean, 10) == average and row.n == 5
    assert "12 typed average(s) checked, 0 differ" in result.output
    table = pd.read_excel(out / "scores.xlsx", sheet_name="Table")
    assert table["row"].tolist()[5] == "Relevance-Avg" and table.loc[5, PILLARS].tolist() == \
        pytest.approx(STUDY_AVERAGES["relevance"])
    book = load_workbook(out / "scores.xlsx")
    assert book["Table"]["C7"].number_format == "0.0"              # shown with one decimal


@pytest.mark.skipif(not (SHARED / "STUDY.md").is_file(), reason="../shared/STUDY.md is absent")
def test_sample_sheet_is_the_study_table():
    study = (SHARED / "STUDY.md").read_text(encoding="utf-8")
    printed = [[c.strip() for c in line.strip("|").split("|")]
               for line in study.splitlines() if re.match(r"^\| (Relevance|Usability)-", line)]
    shipped = pd.read_csv(SAMPLE_SHEET, dtype=str, keep_default_na=False).values.tolist()
    assert shipped == printed


def test_task4_blocks_pairs_and_overall(tmp_path):
    sheet = write(tmp_path, "task4.csv", TASK4)
    out = tmp_path / "s"
    result = qcode("scores", sheet, "--out", out)
    assert result.exit_code == 0, result.output
    rows = means(out)
    assert rows[("Case 1", "Access", "usability")].mean == pytest.approx((3 + 1 + 2) / 3)   # 5，1 read as a pair
    assert rows[("Case 2", "Power", "relevance")].mean == pytest.approx(3.0)
    # Overall = the mean of the case means: Equity relevance (3.0 + 5.0) / 2
    overall = rows[("Overall", "Equity", "relevance")]
    assert (overall.mean, overall.n) == (pytest.approx(4.0), 2)
    assert rows[("Overall", "Power", "relevance")].rank == 2 and rows[("Overall", "Equity", "relevance")].rank == 1
    assert f"typed average differs: {sheet}:5: Equity (Case 1, relevance): typed 3.3, true 3.000" in result.output
    checks = pd.read_csv(out / "typed_averages.csv", encoding="utf-8-sig")
    assert checks["status"].value_counts().to_dict() == {"ok": 17, "differs": 1}
    assert "General" not in set(pd.read_csv(out / "scores.csv")["case"])


def test_typed_integer_is_read_to_the_decimals_the_sheet_shows(tmp_path):
    # true relevance mean of Access is 4.4: a typed "4" is a slip where other averages show one decimal
    sheet = write(tmp_path, "t.csv", ",Power,Access\nRelevance-G1,5,5\nRelevance-G2,4,4\nRelevance-G3,5,4\n"
                                     "Relevance-G4,5,4\nRelevance-G5,5,5\nRelevance-Avg,4.8,4\n")
    result = qcode("scores", sheet, "--out", tmp_path / "s")
    assert f"{sheet}:7: Access (Relevance-Avg, relevance): typed 4, true 4.400" in result.output


def test_tidy_table_with_cases_workshops_and_other_pillars(tmp_path):
    sheet = write(tmp_path, "tidy.csv", """\
workshop,case,group,pillar,relevance,usability
Beijing,,A,Voice,5,3
Beijing,,A,Care,4,2
Beijing,,B,Voice,3,3
Beijing,,B,Care,2,2
Taipei,,A,Voice,4,4
Taipei,,A,Care,5,5
Beijing,Case 1,A,Voice,1,1
Beijing,Case 1,A,Care,2,2
""")
    out = tmp_path / "s"
    assert qcode("scores", sheet, "--out", out).exit_code == 0
    rows = means(out)
    # the general assessment pools the workshops' groups: Voice relevance (5 + 3 + 4) / 3
    assert (rows[("General", "Voice", "relevance")].mean, rows[("General", "Voice", "relevance")].n) == \
        (pytest.approx(4.0), 3)
    assert rows[("General", "Care", "usability")].sd == pytest.approx(pd.Series([2, 2, 5]).std())
    assert rows[("Case 1", "Care", "relevance")].mean == 2.0
    assert rows[("Overall", "Voice", "relevance")].mean == 1.0          # one case study: its mean
    assert list(pd.read_excel(out / "scores.xlsx", sheet_name="Heat map").columns) == \
        ["pillar", "relevance · General", "relevance · Case 1", "relevance · Overall", "usability · General",
         "usability · Case 1", "usability · Overall"]


def test_measure_column_and_xlsx_sheet(tmp_path):
    book = Workbook()
    book.active.title = "Intro"
    sheet = book.create_sheet("Task 3")
    for row in [["group", "measure", "Power", "Equity"], ["G1", "relevance", 5, 4], ["G1", "usability", 3, 2],
                ["G2", "relevance", 3, 4], ["G2", "usability", 1, "x"]]:
        sheet.append(row)
    book.save(tmp_path / "w.xlsx")
    out = tmp_path / "s"
    result = qcode("scores", tmp_path / "w.xlsx", "--sheet-name", "Task 3", "--out", out)
    assert result.exit_code == 0, result.output
    assert "w.xlsx:5: sheet Task 3, column D (Equity): 'x' is not a score: left out of the averages" in result.output
    rows = means(out)
    assert (rows[("General", "Equity", "usability")].mean, rows[("General", "Equity", "usability")].n) == (2.0, 1)
    assert rows[("General", "Power", "relevance")].mean == 4.0


@pytest.mark.parametrize("text, message", [
    (",Power,Equity\nG1,\"5,6\",\"4,4\"\n", "t.csv:2: column B (Power): '6' is outside 1–5"),
    (",Power,Equity\nG1,\"5,3\",\"good\"\n", "t.csv:2: column C (Equity): 'good' is not a relevance,usability pair"),
    (",Power,Equity\nG1,\"5,3\",\n", "t.csv:2: column C (Equity): no score: left out of the averages"),
    (",Power,Equity\nG1,\"5,3\",\"4,4\"\nG1,\"1,1\",\"1,1\"\n",
     "t.csv:3: a second row for group 'G1' (first on row 2)"),
    ("group,pillar,relevance,usability\nG1,Power,5,3\nG1,Equity,4,4\nG2,Power,3,3\n",
     "t.csv:4: group 'G2' has no row for pillar 'Equity'"),
])
def test_bad_cells_are_named_left_out_and_refused_with_strict(tmp_path, text, message):
    sheet = write(tmp_path, "t.csv", text)
    result = qcode("scores", sheet, "--out", tmp_path / "s")
    assert result.exit_code == 0 and message in result.output, result.output
    notes = pd.read_excel(tmp_path / "s" / "scores.xlsx", sheet_name="Notes")["value"].tolist()
    assert any(message.split(": ", 1)[1] in str(n) for n in notes)
    strict = qcode("scores", sheet, "--strict", "--out", tmp_path / "s2")
    assert strict.exit_code == 1 and message in strict.output and not (tmp_path / "s2").exists()


def test_workbook_has_native_charts_and_pngs(tmp_path):
    out = tmp_path / "s"
    assert qcode("scores", "--out", out).exit_code == 0
    book = load_workbook(out / "scores.xlsx")
    assert len(book["Scatter"]._charts) == 1
    assert len(book["Scatter"]._charts[0].series) == 6                  # one series per pillar
    assert book["Heat map"].conditional_formatting                        # the colour scale
    for name in ("scores_heatmap.png", "scores_scatter.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unreadable_sheets_get_a_clear_message(tmp_path):
    empty = write(tmp_path, "empty.csv", "\n")
    assert "the sheet is empty" in qcode("scores", empty, "--out", tmp_path / "a").output
    no_pillars = write(tmp_path, "np.csv", "group\nG1\n")
    assert "no pillar columns" in qcode("scores", no_pillars, "--out", tmp_path / "b").output
    missing = qcode("scores", tmp_path / "nope.csv", "--out", tmp_path / "c")
    assert missing.exit_code == 1 and "cannot be read" in missing.output
